// Turns SDL events into Dear ImGui input. A press and a release that arrive
// together are split over two frames, so a quick tap (or a replayed one) is a
// click and not lost. Fingers come as SDL's finger events (the kiosk turns
// off SDL's mouse events made from touches) and go through touch::Fingers,
// so a palm resting on the screen presses nothing.
#pragma once

#include "touch/touch.hpp"

#include <SDL.h>
#include <deque>
#include <vector>

namespace sayso::ui {

class Input {
  public:
    void queue(const SDL_Event& e) { pending_.push_back(e); }
    bool idle() const { return pending_.empty() && steps_.empty(); }
    // The screen's size in the units the pointer uses: fingers come in 0..1 across it.
    void set_area(float width, float height) {
        width_ = width;
        height_ = height;
    }
    // Feeds queued events to ImGui up to and including one button change;
    // `other` gets every event that is not pointer input. Returns true if any
    // event was consumed. `pressed` is set when a button or finger went down.
    template <class F> bool apply(F&& other, bool& pressed);

  private:
    // A mouse or finger event: true if it was one (and handled).
    bool pointer(const SDL_Event& e, bool& pressed);
    // Plays queued pointer steps into ImGui; true when one changed the button (the frame ends there).
    bool play();

    std::deque<SDL_Event> pending_;
    std::deque<touch::Step> steps_;
    touch::Fingers fingers_;
    std::vector<touch::Step> scratch_;
    float width_ = 1, height_ = 1;
};

template <class F> bool Input::apply(F&& other, bool& pressed) {
    bool any = false;
    pressed = false;
    for (;;) {
        if (!steps_.empty()) {
            any = true;
            if (play()) return true;
            continue;
        }
        if (pending_.empty()) return any;
        const SDL_Event e = pending_.front();
        pending_.pop_front();
        any = true;
        if (!pointer(e, pressed)) other(e);
    }
}

} // namespace sayso::ui
