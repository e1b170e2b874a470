// Speech without words, by the classic source-filter model (as in Klatt's formant synthesiser):
// a train of glottal pulses at the voice's pitch is filtered by resonators at the vowel's
// formants. A script of phrases, words and syllables is first written down as control tracks
// (pitch, voicing, hiss and formants for every sample), then one pass turns them into sound.
#include "assets/speech_audio.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace courtplay::assets {
namespace {

constexpr double kPi = std::numbers::pi;

// xorshift32: the same numbers on every platform (the std distributions are not specified to).
class Random {
 public:
  explicit Random(uint32_t seed) : state_(seed) {}
  double uniform(double lo, double hi) { return lo + (hi - lo) * (next() >> 8) / double(1 << 24); }
  int below(int n) { return static_cast<int>(next() % static_cast<uint32_t>(n)); }
  double noise() { return uniform(-1, 1); }

 private:
  uint32_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }
  uint32_t state_;
};

// The first three formants (Hz) of English vowels, men's averages (Peterson and Barney, 1952).
struct Vowel {
  double f1, f2, f3;
};
constexpr std::array<Vowel, 8> kVowels = {{
    {730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240}, {530, 1840, 2480},
    {570, 840, 2410},  {660, 1720, 2410}, {490, 1350, 1690}, {640, 1190, 2390},
}};

// What the synthesiser does at each sample.
struct Controls {
  explicit Controls(size_t n) : f0(n, 0), voice(n, 0), hiss(n, 0), f1(n, 500), f2(n, 1500), f3(n, 2500) {}
  std::vector<float> f0, voice, hiss, f1, f2, f3;
};

// Two-pole resonator, unity gain at 0 Hz (Klatt 1980).
class Resonator {
 public:
  void tune(double hz, double bandwidth, double rate) {
    c_ = -std::exp(-2 * kPi * bandwidth / rate);
    b_ = 2 * std::exp(-kPi * bandwidth / rate) * std::cos(2 * kPi * hz / rate);
    a_ = 1 - b_ - c_;
  }
  double operator()(double x) {
    const double y = a_ * x + b_ * y1_ + c_ * y2_;
    y2_ = y1_;
    y1_ = y;
    return y;
  }

 private:
  double a_ = 1, b_ = 0, c_ = 0, y1_ = 0, y2_ = 0;
};

// One-pole low-pass: the muffling of cloth over the microphone, and coloured noise.
class LowPass {
 public:
  LowPass(double hz, double rate) : k_(1 - std::exp(-2 * kPi * hz / rate)) {}
  double operator()(double x) { return y_ += k_ * (x - y_); }

 private:
  double k_, y_ = 0;
};

// Rosenberg's glottal flow over one period (phase 0..1): opening, closing, closed.
double glottal_flow(double phase) {
  constexpr double kOpen = 0.4, kClose = 0.16;
  if (phase < kOpen) return 0.5 * (1 - std::cos(kPi * phase / kOpen));
  if (phase < kOpen + kClose) return std::cos(kPi / 2 * (phase - kOpen) / kClose);
  return 0;
}

// Writes the script: who speaks when, and how each syllable sounds.
Controls write_script(double seconds, int rate) {
  const auto total = static_cast<size_t>(std::llround(seconds * rate));
  Controls c(total);
  Random rng(20261112);
  const auto at = [rate](double t) { return static_cast<size_t>(std::llround(t * rate)); };
  Vowel previous = kVowels[0];
  bool officer = true;
  double t = 0.3;
  while (t < seconds - 0.8) {
    const double base = officer ? 112 : 178;  // Hz: a man's and a higher voice
    const int words = 2 + rng.below(5);
    const double phrase_start = t, phrase_guess = words * 0.45;
    for (int w = 0; w < words; ++w) {
      const int syllables = 1 + rng.below(3);
      for (int k = 0; k < syllables; ++k) {
        if (t > seconds - 0.5) break;
        // Onset: a hiss (s, sh, f), a stop (silence, then a burst), or straight into the vowel.
        const int onset = rng.below(10);
        if (onset < 3) {
          const double len = rng.uniform(0.05, 0.09);
          for (size_t n = at(t); n < std::min(total, at(t + len)); ++n) {
            c.hiss[n] = static_cast<float>(0.35 * std::sin(kPi * (n - at(t)) / (len * rate)));
          }
          t += len;
        } else if (onset < 6) {
          t += 0.03;
          for (size_t n = at(t); n < std::min(total, at(t + 0.012)); ++n) c.hiss[n] = 0.5f;
          t += 0.012;
        }
        // The vowel: formants glide from the last one, pitch falls over the phrase (declination)
        // with a rise on stressed syllables, loudness swells and fades.
        Vowel next = kVowels[static_cast<size_t>(rng.below(static_cast<int>(kVowels.size())))];
        const double len = rng.uniform(0.15, 0.26);
        const bool stressed = k == 0 && rng.below(3) != 0;
        const double loud = stressed ? 1.0 : rng.uniform(0.55, 0.8);
        for (size_t n = at(t); n < std::min(total, at(t + len)); ++n) {
          const double u = (static_cast<double>(n) / rate - t) / len;  // 0..1 through the vowel
          const double glide = std::min(1.0, u / 0.35);
          const double progress = (static_cast<double>(n) / rate - phrase_start) / phrase_guess;
          const double pitch = base * (1.12 - 0.22 * std::min(1.0, progress)) *
                               (1 + (stressed ? 0.16 : 0.04) * std::sin(kPi * u));
          c.f0[n] = static_cast<float>(pitch);
          c.voice[n] = static_cast<float>(loud * std::min({1.0, u / 0.12, (1 - u) / 0.3}));
          c.f1[n] = static_cast<float>(previous.f1 + glide * (next.f1 - previous.f1));
          c.f2[n] = static_cast<float>(previous.f2 + glide * (next.f2 - previous.f2));
          c.f3[n] = static_cast<float>(previous.f3 + glide * (next.f3 - previous.f3));
        }
        previous = next;
        t += len;
      }
      t += rng.uniform(0.02, 0.12);  // between words
    }
    t += rng.uniform(0.35, 0.8);  // between phrases: breath, or the other person's turn
    if (rng.below(3) != 0) officer = !officer;
  }
  return c;
}

}  // namespace

std::vector<float> speech_audio(double seconds, int sample_rate) {
  const Controls c = write_script(seconds, sample_rate);
  const size_t total = c.f0.size();
  std::vector<float> out(total);
  Random rng(4172);
  std::array<Resonator, 3> formants;
  LowPass muffle1(2600, sample_rate), muffle2(2600, sample_rate), rumble(180, sample_rate);
  double phase = 0, last_flow = 0, peak = 1e-9;
  for (size_t n = 0; n < total; ++n) {
    if (n % 16 == 0) {  // formants move slowly: retune every third of a millisecond
      formants[0].tune(c.f1[n], 90, sample_rate);
      formants[1].tune(c.f2[n], 110, sample_rate);
      formants[2].tune(c.f3[n], 170, sample_rate);
    }
    double source = 0;
    if (c.voice[n] > 0) {
      phase += c.f0[n] / sample_rate;
      phase -= std::floor(phase);
      const double flow = glottal_flow(phase);
      // The lips radiate the flow's derivative; a little breath noise rides on the voice.
      source = c.voice[n] * ((flow - last_flow) * sample_rate / c.f0[n] * 0.2 + 0.02 * rng.noise());
      last_flow = flow;
    } else {
      last_flow = 0;
      phase = 0;
    }
    double voiced = source;
    for (Resonator& r : formants) voiced = r(voiced);
    const double hiss = c.hiss[n] * rng.noise() * 0.15;
    const double sample = muffle2(muffle1(voiced + hiss));
    out[n] = static_cast<float>(sample);
    peak = std::max(peak, std::fabs(sample));
  }
  // Speech peaks at -4 dBFS; under it a faint street (low rumble rising and falling, -55 dBFS).
  for (size_t n = 0; n < total; ++n) {
    const double t = static_cast<double>(n) / sample_rate;
    const double street = rumble(rng.noise()) * 0.02 * (1 + 0.5 * std::sin(2 * kPi * 0.11 * t));
    out[n] = static_cast<float>(out[n] * 0.63 / peak + street);
  }
  return out;
}

std::vector<float> engine_audio(double seconds, int sample_rate, const std::function<double(double)>& mph) {
  const auto total = static_cast<size_t>(std::llround(seconds * sample_rate));
  std::vector<float> out(total);
  Random rng(911);
  LowPass tyres(250, sample_rate), tyres2(250, sample_rate), wobble(8, sample_rate);
  double phase = 0, sum_squares = 0;
  for (size_t n = 0; n < total; ++n) {
    const double t = static_cast<double>(n) / sample_rate;
    // A four-cylinder engine fires twice a revolution; in fourth gear ~65 rpm per mph.
    const double firing_hz = (700 + 65 * mph(t)) / 60 * 2;
    phase += firing_hz / sample_rate;
    phase -= std::floor(phase);
    double engine = 0;
    for (int h = 1; h <= 6; ++h) engine += std::sin(2 * kPi * h * phase + h * h) / (h * h);
    engine *= 1 + 8 * wobble(rng.noise());  // combustion is never quite even
    const double road = tyres2(tyres(rng.noise())) * 4;
    out[n] = static_cast<float>(engine + road);
    sum_squares += out[n] * out[n];
  }
  const double gain = 0.03 / std::sqrt(sum_squares / std::max<size_t>(1, total) + 1e-12);
  for (float& v : out) v = static_cast<float>(v * gain);
  return out;
}

}  // namespace courtplay::assets
