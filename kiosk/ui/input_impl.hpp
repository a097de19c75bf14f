#pragma once

#include <imgui.h>

namespace sayso::ui {

template <class F> bool Input::apply(F&& other, bool& pressed) {
    ImGuiIO& io = ImGui::GetIO();
    bool any = false;
    pressed = false;
    while (!pending_.empty()) {
        const SDL_Event e = pending_.front();
        pending_.pop_front();
        any = true;
        switch (e.type) {
        case SDL_MOUSEMOTION:
            io.MousePos = ImVec2(static_cast<float>(e.motion.x), static_cast<float>(e.motion.y));
            break;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP: {
            if (e.button.button != SDL_BUTTON_LEFT) break;
            const bool down = e.type == SDL_MOUSEBUTTONDOWN;
            io.MousePos = ImVec2(static_cast<float>(e.button.x), static_cast<float>(e.button.y));
            io.MouseDown[0] = down;
            pressed = down;
            down_ = down;
            return true; // one button change per frame
        }
        default: other(e); break;
        }
    }
    return any;
}

} // namespace sayso::ui
