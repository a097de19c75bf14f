// The kiosk: a window, the main loop, and the screens over the flow.
#pragma once

#include "flow/flow.hpp"
#include "pack/signature.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <vector>

namespace sayso::ui {

struct Options {
    bool headless = false; // SDL's dummy video driver and the software renderer
    bool fullscreen = false;
    int width = 1280, height = 800;
    float dpi = 0; // 0: ask the display (headless: unknown)
    std::filesystem::path packs;
    std::filesystem::path db;
    std::filesystem::path assets;
    std::filesystem::path shots = "shots";
    std::optional<std::filesystem::path> replay;
    std::optional<std::filesystem::path> timings;     // write frame timings as JSON here
    std::optional<std::filesystem::path> sync_config; // delivery settings (sync/README.md); none: not set up
    // Where the admin screen looks for pack folders to install (USB sticks are mounted here).
    std::vector<std::filesystem::path> import_roots = {"/media", "/run/media"};
    // Who may sign packs; with `allow_unsigned`, unsigned packs too (development).
    pack::Trust trust;
    flow::Settings settings;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now(); // for first-frame timing
};

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitStartup = 1; // no display, no renderer
inline constexpr int kExitUsage = 2;   // bad arguments or a malformed replay script
inline constexpr int kExitReplay = 3;  // an expectation or tap in the replay failed

int run(const Options& options);

} // namespace sayso::ui
