-- Loaded into mpv by bench/run: prints mpv's own frame-drop counters when it exits, so the benchmark can
-- set mpv's dropped frames beside courtplay's.
local last = {}
for _, name in ipairs({"frame-drop-count", "decoder-frame-drop-count"}) do
    mp.observe_property(name, "number", function(_, value)
        if value then last[name] = value end
    end)
end
mp.register_event("shutdown", function()
    mp.msg.warn(string.format("bench-frame-drops vo=%d decoder=%d", last["frame-drop-count"] or -1,
                              last["decoder-frame-drop-count"] or -1))
end)
