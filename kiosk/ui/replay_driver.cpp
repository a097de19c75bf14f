// The headless replay: each script command as real SDL events or a move of
// the manual clock, against the same loop a tablet runs.
#include "kiosk.hpp"

#include <SDL.h>
#include <imgui.h>

#include "formats/utf8.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>

namespace sayso::ui {

namespace {

// A finger as a touchscreen reports it: SDL's finger events, in 0..1 across the window.
void push_finger(SDL_Window* window, Uint32 type, long finger, ImVec2 at) {
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    SDL_Event e{};
    e.type = type;
    e.tfinger.touchId = 1;
    e.tfinger.fingerId = finger;
    e.tfinger.x = size.x > 0 ? at.x / size.x : 0;
    e.tfinger.y = size.y > 0 ? at.y / size.y : 0;
    e.tfinger.pressure = type == SDL_FINGERUP ? 0.0f : 1.0f;
    e.tfinger.windowID = SDL_GetWindowID(window);
    SDL_PushEvent(&e);
}

// The mouse as SDL reports it: a motion, a left button down or up.
void push_mouse(SDL_Window* window, Uint32 type, ImVec2 at) {
    SDL_Event e{};
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.windowID = SDL_GetWindowID(window);
        e.motion.x = static_cast<Sint32>(at.x);
        e.motion.y = static_cast<Sint32>(at.y);
        e.motion.state = SDL_BUTTON_LMASK;
    } else {
        e.button.windowID = SDL_GetWindowID(window);
        e.button.button = SDL_BUTTON_LEFT;
        e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
        e.button.clicks = 1;
        e.button.x = static_cast<Sint32>(at.x);
        e.button.y = static_cast<Sint32>(at.y);
    }
    SDL_PushEvent(&e);
}

void push_tap(SDL_Window* window, ImVec2 at) {
    push_mouse(window, SDL_MOUSEMOTION, at);
    push_mouse(window, SDL_MOUSEBUTTONDOWN, at);
    push_mouse(window, SDL_MOUSEBUTTONUP, at);
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

// Real time: speech is made and played on other threads, and a recording
// comes from the microphone at its own pace. `ms`: only until the recording
// being made holds that much (0: until it has ended, and speech too).
std::string listen(Kiosk& k, long ms) {
    auto& speaker = k.speaker();
    if (ms > 0 && !k.flow().recording()) return "listen " + std::to_string(ms) + ": no recording is being made";
    if (!speaker.available() && !k.flow().recording()) return "listen: no sound device (" + speaker.problem() + ")";
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(150);
    auto waiting = [&] {
        if (ms == 0) return speaker.busy() || k.flow().recording();
        const auto* take = k.flow().take();
        return k.flow().recording() && take && take->seconds() * 1000 < static_cast<double>(ms);
    };
    while (waiting()) {
        if (std::chrono::steady_clock::now() > until)
            return k.flow().recording() ? "listen: still recording after 150 s" : "listen: still speaking after 150 s";
        k.settle();
        SDL_Delay(20);
    }
    return "";
}

} // namespace

int drive(Kiosk& k, const script::Script& commands, flow::ManualClock& clock, const std::filesystem::path& shots) {
    // Time jumps from deadline to deadline; the frames in between would only
    // show animations nobody is watching.
    auto advance_to = [&](flow::Millis end) {
        auto& flow = k.flow();
        while (clock.monotonic() < end) {
            auto d = flow.next_deadline();
            auto to = d && *d > clock.monotonic() && *d < end ? *d : end;
            if (d && *d <= clock.monotonic()) to = clock.monotonic() + flow::Millis(1);
            clock.advance(std::min(to, end) - clock.monotonic());
            flow.tick();
        }
        k.settle();
    };
    // A person's deliberate press comes after the view has been seen and
    // never as the second half of a double tap (touch::Presses); `double`
    // and the palm tests make the quick presses themselves.
    auto deliberate = [&](const std::string& id) {
        k.settle();
        const auto ready = k.widgets().presses().ready(id);
        if (ready > clock.monotonic()) advance_to(ready);
    };
    auto where = [&](const script::Command& c, const char* verb, float x, float y) -> std::optional<ImVec2> {
        auto at = k.widgets().point(c.arg, x, y);
        if (!at)
            fail(c, std::string(verb) + " " + c.arg + ": no widget with that id on the " + k.current() +
                        " screen (on screen: " + k.widgets().list() + ")");
        return at;
    };
    std::map<long, ImVec2> fingers; // down now, and where
    k.settle();
    for (const auto& c : commands.commands) {
        // Every frame so far drew without waiting on a disk, a network or a hash.
        if (!k.replay_problem().empty()) return fail(c, k.replay_problem());
        if (k.quitting()) break;
        switch (c.verb) {
        case script::Command::Verb::Tap:
        case script::Command::Verb::Touch:
        case script::Command::Verb::Double: {
            deliberate(c.arg);
            const char* verb = c.verb == script::Command::Verb::Tap     ? "tap"
                               : c.verb == script::Command::Verb::Touch ? "touch"
                                                                        : "double";
            const auto at = where(c, verb, 0.5f, 0.5f);
            if (!at) return kExitReplay;
            if (c.verb == script::Command::Verb::Tap) {
                push_tap(k.window(), *at);
                k.settle();
                break;
            }
            if (fingers.count(1)) return fail(c, std::string(verb) + " uses finger 1, which is down already");
            for (int i = 0; i < (c.verb == script::Command::Verb::Double ? 2 : 1); ++i) {
                if (i > 0) advance_to(clock.monotonic() + flow::Millis(120)); // a quick second tap
                push_finger(k.window(), SDL_FINGERDOWN, 1, *at);
                push_finger(k.window(), SDL_FINGERUP, 1, *at);
                k.settle();
            }
            break;
        }
        case script::Command::Verb::Finger: {
            if (c.finger == script::Command::Finger::Up) {
                // Lifts where it last was: SDL says where a finger leaves.
                const auto it = fingers.find(c.number);
                if (it == fingers.end()) return fail(c, "finger " + std::to_string(c.number) + " is not down");
                push_finger(k.window(), SDL_FINGERUP, c.number, it->second);
                fingers.erase(it);
                k.settle();
                break;
            }
            if (c.finger == script::Command::Finger::Down) {
                if (fingers.count(c.number)) return fail(c, "finger " + std::to_string(c.number) + " is down already");
                deliberate(c.arg);
            } else if (!fingers.count(c.number)) {
                return fail(c, "finger " + std::to_string(c.number) + " is not down");
            }
            k.settle();
            const auto at = where(c, "finger", c.x, c.y);
            if (!at) return kExitReplay;
            push_finger(k.window(), c.finger == script::Command::Finger::Down ? SDL_FINGERDOWN : SDL_FINGERMOTION,
                        c.number, *at);
            fingers[c.number] = *at;
            k.settle();
            break;
        }
        case script::Command::Verb::Stroke: {
            if (!c.mouse && fingers.count(1)) return fail(c, "stroke touch uses finger 1, which is down already");
            deliberate(c.arg);
            // Each point is found on the widget as it is now, and each move is its own frame, as a hand is.
            for (std::size_t i = 0; i < c.points.size(); ++i) {
                const auto at = where(c, "stroke", c.points[i].x, c.points[i].y);
                if (!at) return kExitReplay;
                if (c.mouse) {
                    push_mouse(k.window(), i == 0 ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEMOTION, *at);
                    if (i + 1 == c.points.size()) push_mouse(k.window(), SDL_MOUSEBUTTONUP, *at);
                } else {
                    push_finger(k.window(), i == 0 ? SDL_FINGERDOWN : SDL_FINGERMOTION, 1, *at);
                    if (i + 1 == c.points.size()) push_finger(k.window(), SDL_FINGERUP, 1, *at);
                }
                k.settle();
            }
            break;
        }
        case script::Command::Verb::Wait: advance_to(clock.monotonic() + flow::Millis(c.number)); break;
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
            if (auto why = listen(k, c.number); !why.empty()) return fail(c, why);
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
