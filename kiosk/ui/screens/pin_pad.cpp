#include "screens.hpp"

#include <algorithm>

namespace sayso::ui {

namespace {

std::string minutes(std::int64_t ms) {
    const std::int64_t m = (ms + 59'999) / 60'000;
    if (ms < 60'000) return std::to_string((ms + 999) / 1000) + " seconds";
    return std::to_string(m) + (m == 1 ? " minute" : " minutes");
}

} // namespace

void draw_pin_pad(Ui& ui) {
    const auto& L = ui.layout;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float cx = L.width * 0.5f;
    const float key = std::clamp(std::min(L.width, L.height) / 7.0f, L.target, 2.2f * L.target);
    const float gap = L.pad;
    const float pad_w = 3 * key + 2 * gap, pad_h = 4 * key + 3 * gap;
    const float head = ui.fonts.large->FontSize * 1.3f + ui.fonts.body->FontSize * 2.6f + key * 0.5f;
    float y = std::max(L.pad, (L.height - pad_h - head) * 0.5f);

    centred_text(dl, ui.fonts.large, "Enter your PIN", cx, y, L.width - 4 * L.pad, colour::ink);
    y += ui.fonts.large->FontSize * 1.3f;
    // The message: a wrong PIN, or how long the lockout lasts.
    std::string msg = ui.pin_message;
    if (const auto locked = ui.gate ? ui.gate->locked_for_ms(access::Role::Practitioner) : 0; locked > 0)
        msg = "Too many wrong PINs. Try again in " + minutes(locked) + ", or ask your admin.";
    centred_text(dl, ui.fonts.body, msg.empty() ? "For the practitioner" : msg, cx, y, L.width - 4 * L.pad,
                 msg.empty() ? colour::muted : colour::problem);
    y += ui.fonts.body->FontSize * 2.6f;

    // One dot per digit typed: the PIN itself is never shown.
    const float r = key * 0.09f;
    const int n = static_cast<int>(ui.pin_entry.size());
    for (int i = 0; i < std::max(n, 4); ++i) {
        const ImVec2 c(cx + (static_cast<float>(i) - (std::max(n, 4) - 1) * 0.5f) * r * 3.2f, y);
        if (i < n) dl->AddCircleFilled(c, r, colour::primary);
        else dl->AddCircle(c, r, colour::muted, 0, std::max(1.5f, r * 0.25f));
    }
    y += key * 0.5f;

    static const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "ok"};
    const float x0 = cx - pad_w * 0.5f;
    for (int i = 0; i < 12; ++i) {
        const ImVec2 a(x0 + static_cast<float>(i % 3) * (key + gap), y + static_cast<float>(i / 3) * (key + gap));
        const ImVec2 b(a.x + key, a.y + key);
        const std::string k = keys[i];
        const bool ok = k == "ok";
        const std::string label = k == "back" ? "\u2190" : ok ? "OK" : k;
        TileStyle st;
        st.primary = ok;
        st.enabled = !ok || !ui.pin_entry.empty();
        if (!tile(ui.widgets, "pin:" + k, a, b, {}, label, ui.fonts.large, st)) continue;
        ui.pin_message.clear();
        if (k == "back") {
            if (!ui.pin_entry.empty()) ui.pin_entry.pop_back();
        } else if (!ok) {
            if (ui.pin_entry.size() < 8) ui.pin_entry += k;
        } else if (ui.gate) {
            const auto attempt = ui.gate->check(access::Role::Practitioner, ui.pin_entry);
            ui.pin_entry.assign(ui.pin_entry.size(), '\0'); // overwrite, then forget
            ui.pin_entry.clear();
            switch (attempt.result) {
            case access::Gate::Result::Open:
            case access::Gate::Result::NoPin: ui.flow.unlock(); break;
            case access::Gate::Result::Wrong: ui.pin_message = "That PIN isn't right. Try again."; break;
            case access::Gate::Result::LockedOut: break; // the lockout message shows
            case access::Gate::Result::Problem: ui.pin_message = attempt.problem; break;
            }
        }
    }
}

} // namespace sayso::ui
