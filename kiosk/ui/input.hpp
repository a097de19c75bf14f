// Turns SDL events into Dear ImGui input. A press and a release that arrive
// together are split over two frames, so a quick tap (or a replayed one) is a
// click and not lost.
#pragma once

#include <SDL.h>
#include <deque>

namespace sayso::ui {

class Input {
  public:
    void queue(const SDL_Event& e) { pending_.push_back(e); }
    bool idle() const { return pending_.empty(); }
    // Feeds queued events to ImGui up to and including one button change;
    // `other` gets every event that is not pointer input. Returns true if any
    // event was consumed. `pressed` is set when a button went down.
    template <class F> bool apply(F&& other, bool& pressed);

  private:
    std::deque<SDL_Event> pending_;
    bool down_ = false;
};

} // namespace sayso::ui

#include "input_impl.hpp"
