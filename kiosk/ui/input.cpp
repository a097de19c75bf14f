#include "input.hpp"

#include <imgui.h>

#include <cfloat>

namespace sayso::ui {

bool Input::pointer(const SDL_Event& e, bool& pressed) {
    switch (e.type) {
    case SDL_MOUSEMOTION:
        // Mouse events made from touches are not wanted (fingers are read
        // themselves), nor is a mouse while a finger is down.
        if (e.motion.which == SDL_TOUCH_MOUSEID || fingers_.any()) return true;
        steps_.push_back({touch::Step::Kind::Move, {static_cast<float>(e.motion.x), static_cast<float>(e.motion.y)}});
        return true;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
        if (e.button.which == SDL_TOUCH_MOUSEID || fingers_.any() || e.button.button != SDL_BUTTON_LEFT) return true;
        const bool down = e.type == SDL_MOUSEBUTTONDOWN;
        steps_.push_back({down ? touch::Step::Kind::Down : touch::Step::Kind::Up,
                          {static_cast<float>(e.button.x), static_cast<float>(e.button.y)}});
        pressed = pressed || down;
        return true;
    }
    case SDL_FINGERDOWN:
    case SDL_FINGERMOTION:
    case SDL_FINGERUP: {
        const touch::Point at{e.tfinger.x * width_, e.tfinger.y * height_};
        scratch_.clear();
        if (e.type == SDL_FINGERDOWN) {
            fingers_.down(e.tfinger.fingerId, at, scratch_);
            pressed = true; // any touch keeps the child's session awake
        } else if (e.type == SDL_FINGERMOTION) {
            fingers_.move(e.tfinger.fingerId, at, scratch_);
        } else {
            fingers_.up(e.tfinger.fingerId, at, scratch_);
        }
        steps_.insert(steps_.end(), scratch_.begin(), scratch_.end());
        return true;
    }
    default: return false;
    }
}

bool Input::play() {
    ImGuiIO& io = ImGui::GetIO();
    const touch::Step s = steps_.front();
    steps_.pop_front();
    const ImVec2 away(-FLT_MAX, -FLT_MAX);
    switch (s.kind) {
    case touch::Step::Kind::Move: io.MousePos = ImVec2(s.at.x, s.at.y); break;
    case touch::Step::Kind::Down:
        io.MousePos = ImVec2(s.at.x, s.at.y);
        io.MouseDown[0] = true;
        break;
    case touch::Step::Kind::Up:
        io.MousePos = ImVec2(s.at.x, s.at.y);
        io.MouseDown[0] = false;
        break;
    case touch::Step::Kind::Cancel:
        io.MousePos = away;
        io.MouseDown[0] = false;
        break;
    case touch::Step::Kind::Away: io.MousePos = away; break;
    }
    return s.changes_button();
}

} // namespace sayso::ui
