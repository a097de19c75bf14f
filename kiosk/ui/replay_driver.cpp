// The headless replay: each script command as real SDL events or a move of
// the manual clock, against the same loop a tablet runs.
#include "kiosk.hpp"

#include <SDL.h>

#include "formats/utf8.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace sayso::ui {

namespace {

void push_tap(SDL_Window* window, ImVec2 at) {
    const Uint32 id = SDL_GetWindowID(window);
    SDL_Event e{};
    e.type = SDL_MOUSEMOTION;
    e.motion.windowID = id;
    e.motion.x = static_cast<Sint32>(at.x);
    e.motion.y = static_cast<Sint32>(at.y);
    SDL_PushEvent(&e);
    for (Uint32 type : {Uint32(SDL_MOUSEBUTTONDOWN), Uint32(SDL_MOUSEBUTTONUP)}) {
        SDL_Event b{};
        b.type = type;
        b.button.windowID = id;
        b.button.button = SDL_BUTTON_LEFT;
        b.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
        b.button.clicks = 1;
        b.button.x = static_cast<Sint32>(at.x);
        b.button.y = static_cast<Sint32>(at.y);
        SDL_PushEvent(&b);
    }
}

void push_text(SDL_Window* window, const std::string& text) {
    // SDL carries at most 31 bytes of text per event; split on code points.
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t n = std::min<std::size_t>(text.size() - i, SDL_TEXTINPUTEVENT_TEXT_SIZE - 1);
        if (i + n < text.size()) {
            const std::size_t cut = utf8::floor_boundary(text, i + n);
            n = cut > i ? cut - i : 0;
        }
        if (n == 0) break;
        SDL_Event e{};
        e.type = SDL_TEXTINPUT;
        e.text.windowID = SDL_GetWindowID(window);
        text.copy(e.text.text, n, i);
        e.text.text[n] = '\0';
        SDL_PushEvent(&e);
        i += n;
    }
}

void push(Uint32 type) {
    SDL_Event e{};
    e.type = type;
    SDL_PushEvent(&e);
}

int fail(const script::Command& c, const std::string& why) {
    std::fprintf(stderr, "sayso: replay line %d: %s\n", c.line, why.c_str());
    return kExitReplay;
}

// Real time, not the replay's clock: delivery runs on its own thread.
std::string deliver(Kiosk& k) {
    auto& d = k.delivery();
    const auto first = d.status();
    if (!first) return "deliver: delivery is not set up (--sync-config)";
    const auto before = first->rounds;
    d.wake();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        const auto s = d.status();
        if (!s) return "deliver: delivery stopped";
        if (s->rounds > before && (s->waiting == 0 || s->problem != sync::Status::Problem::None)) return "";
        if (std::chrono::steady_clock::now() > until) return "deliver: the outbox did not empty within 30 s";
        SDL_Delay(20);
    }
}

// Real time: speech is made and played on other threads.
std::string listen(Kiosk& k) {
    auto& speaker = k.speaker();
    if (!speaker.available()) return "listen: no sound device (" + speaker.problem() + ")";
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (speaker.busy()) {
        if (std::chrono::steady_clock::now() > until) return "listen: still speaking after 30 s";
        SDL_Delay(20);
    }
    return "";
}

} // namespace

int drive(Kiosk& k, const script::Script& commands, flow::ManualClock& clock, const std::filesystem::path& shots) {
    k.settle();
    for (const auto& c : commands.commands) {
        // Every frame so far drew without waiting on a disk, a network or a hash.
        if (!k.replay_problem().empty()) return fail(c, k.replay_problem());
        if (k.quitting()) break;
        switch (c.verb) {
        case script::Command::Verb::Tap: {
            k.settle();
            auto at = k.widgets().centre(c.arg);
            if (!at)
                return fail(c, "tap " + c.arg + ": no widget with that id on the " + k.current() +
                                   " screen (on screen: " + k.widgets().list() + ")");
            push_tap(k.window(), *at);
            k.settle();
            break;
        }
        case script::Command::Verb::Wait: {
            // Time jumps from deadline to deadline; the frames in between
            // would only show animations nobody is watching.
            auto& flow = k.flow();
            const auto end = clock.monotonic() + flow::Millis(c.number);
            while (clock.monotonic() < end) {
                auto d = flow.next_deadline();
                auto to = d && *d > clock.monotonic() && *d < end ? *d : end;
                if (d && *d <= clock.monotonic()) to = clock.monotonic() + flow::Millis(1);
                clock.advance(std::min(to, end) - clock.monotonic());
                flow.tick();
            }
            k.settle();
            break;
        }
        case script::Command::Verb::Idle:
            clock.advance(flow::Millis(c.number * 1000));
            k.settle();
            break;
        case script::Command::Verb::Shot: {
            k.settle();
            const auto file = shots / (c.arg + ".png");
            if (!k.shot(file)) return fail(c, "shot " + c.arg + ": can't write " + file.string());
            break;
        }
        case script::Command::Verb::Expect:
            k.settle();
            if (!k.matches(c.arg))
                return fail(c, "expected the " + c.arg + " screen, but the " + k.current() + " screen is showing");
            break;
        case script::Command::Verb::Type:
            push_text(k.window(), c.arg);
            k.settle();
            break;
        case script::Command::Verb::Deliver:
            if (auto why = deliver(k); !why.empty()) return fail(c, why);
            k.redraw();
            k.settle();
            break;
        case script::Command::Verb::Quit:
            // What closing the window or the system's quit keys send.
            push(SDL_QUIT);
            k.settle();
            break;
        case script::Command::Verb::Listen:
            k.settle();
            if (auto why = listen(k); !why.empty()) return fail(c, why);
            k.settle();
            break;
        case script::Command::Verb::Key: {
            SDL_Event e{};
            e.type = SDL_KEYDOWN;
            e.key.keysym.sym = c.arg == "backspace" ? SDLK_BACKSPACE : SDLK_RETURN;
            e.key.keysym.scancode = c.arg == "backspace" ? SDL_SCANCODE_BACKSPACE : SDL_SCANCODE_RETURN;
            SDL_PushEvent(&e);
            k.settle();
            break;
        }
        }
    }
    if (!k.replay_problem().empty()) {
        std::fprintf(stderr, "sayso: replay: %s\n", k.replay_problem().c_str());
        return kExitReplay;
    }
    return kExitOk;
}

} // namespace sayso::ui
