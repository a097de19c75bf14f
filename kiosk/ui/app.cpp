// The kiosk's start: SDL, the window and renderer, Dear ImGui, the answers
// file and the clock; then the loop (kiosk.cpp) live or driven by a replay
// script (replay_driver.cpp).
#include "app.hpp"

#include "access/gate.hpp"
#include "kiosk.hpp"
#include "script/script.hpp"
#include "storage/store.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>

#include <cstdio>
#include <memory>

namespace sayso::ui {

namespace {

// Stands in for storage when the answers file could not be opened, so the
// flow refuses to start a session instead of losing what a child says.
class Unavailable final : public flow::Recorder {
  public:
    explicit Unavailable(flow::StorageProblem p) : p_(std::move(p)) {}
    flow::StoreResult<void> begin(const flow::ResponseStart&) override { return p_; }
    flow::StoreResult<void> record(const std::string&, const flow::AnswerRecord&) override { return p_; }
    flow::StoreResult<void> finish(const std::string&, flow::Completion, std::int64_t) override { return p_; }
    flow::StoreResult<void> flag_talk(const std::string&) override { return p_; }
    flow::StoreResult<void> set_language(const std::string&, const std::string&) override { return p_; }
    flow::StoreResult<void> set_case_ref(const std::string&, const std::string&) override { return p_; }

  private:
    flow::StorageProblem p_;
};

struct SdlDeleter {
    void operator()(SDL_Window* w) const { SDL_DestroyWindow(w); }
    void operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); }
};

} // namespace

int run(const Options& o) {
    if (o.headless) {
        // No sound either, unless asked for (tests use SDL's disk driver to hear it).
        SDL_setenv("SDL_AUDIODRIVER", "dummy", 0);
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    }
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    // Touches come as finger events only: the kiosk reads fingers itself (a
    // palm must press nothing), so SDL's mouse events made from them are not wanted.
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        std::fprintf(stderr, "sayso: can't start the display: %s\n", SDL_GetError());
        return kExitStartup;
    }
    Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
    if (o.headless)
        flags |= SDL_WINDOW_HIDDEN;
    else if (o.fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    else
        flags |= SDL_WINDOW_RESIZABLE;
    std::unique_ptr<SDL_Window, SdlDeleter> window(
        SDL_CreateWindow("Sayso", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o.width, o.height, flags));
    if (!window) {
        std::fprintf(stderr, "sayso: can't open a window: %s\n", SDL_GetError());
        SDL_Quit();
        return kExitStartup;
    }
    std::unique_ptr<SDL_Renderer, SdlDeleter> renderer(
        SDL_CreateRenderer(window.get(), -1, o.headless ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED));
    if (!renderer) renderer.reset(SDL_CreateRenderer(window.get(), -1, SDL_RENDERER_SOFTWARE));
    if (!renderer) {
        std::fprintf(stderr, "sayso: can't draw to the window: %s\n", SDL_GetError());
        window.reset();
        SDL_Quit();
        return kExitStartup;
    }

    script::Script commands;
    if (o.replay) {
        auto loaded = script::load_script(*o.replay);
        if (loaded) commands = std::move(*loaded);
        if (!loaded) {
            std::fprintf(stderr, "sayso: replay %s: %s\n", o.replay->c_str(), loaded.words().c_str());
            renderer.reset();
            window.reset();
            SDL_Quit();
            return kExitUsage;
        }
    }

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // a kiosk keeps no window state on disk
    io.LogFilename = nullptr;
    ImGui_ImplSDLRenderer_Init(renderer.get());

    auto opened = storage::Store::open(o.db);
    std::unique_ptr<storage::Store> store;
    std::unique_ptr<flow::Recorder> unavailable;
    std::string storage_words;
    if (opened) {
        store = std::move(*opened);
        if (const auto closed = store->close_abandoned(); !closed)
            std::fprintf(stderr, "sayso: %s\n", closed.problem().detail.c_str());
        else if (*closed > 0)
            std::fprintf(stderr, "sayso: %d response(s) interrupted last time were kept and marked incomplete\n",
                         *closed);
    } else {
        storage_words = opened.words();
        std::fprintf(stderr, "sayso: %s (%s)\n", storage_words.c_str(), opened.problem().detail.c_str());
        unavailable = std::make_unique<Unavailable>(opened.problem());
    }
    flow::Recorder& recorder = store ? static_cast<flow::Recorder&>(*store) : *unavailable;

    std::unique_ptr<access::Gate> gate;

    int code = kExitOk;
    {
        flow::SystemClock system_clock;
        flow::ManualClock manual_clock;
        const flow::Clock& clock = o.replay ? static_cast<const flow::Clock&>(manual_clock) : system_clock;
        if (store) gate = std::make_unique<access::Gate>(*store, clock);
        Kiosk kiosk(o, clock, recorder, storage_words, gate.get(), store.get(), window.get(), renderer.get());
        code = o.replay ? drive(kiosk, commands, manual_clock, o.shots) : kiosk.live();
    }

    ImGui_ImplSDLRenderer_Shutdown();
    ImGui::DestroyContext();
    renderer.reset();
    window.reset();
    SDL_Quit();
    return code;
}

} // namespace sayso::ui
