// The sound of the demo clips (demo_clips.h): mono samples in [-1, 1], the same on every run.
// Internal to assets/.
#pragma once

#include <functional>
#include <vector>

namespace courtplay::assets {

// Two people talking, muffled as a body-worn camera's microphone under a tabard hears them: no
// words, but voiced syllables (a glottal pulse train at 100-230 Hz whose pitch rises and falls,
// shaped by three formant resonances that glide to a new vowel each syllable, some starting with
// a hiss or a stop), four or five syllables a second, grouped into words and phrases with pauses
// between, over a faint street background.
std::vector<float> speech_audio(double seconds, int sample_rate);

// A car's cabin: engine firing harmonics that follow the road speed (mph at a time in seconds)
// over tyre rumble, quiet (about -30 dBFS).
std::vector<float> engine_audio(double seconds, int sample_rate, const std::function<double(double)>& mph);

}  // namespace courtplay::assets
