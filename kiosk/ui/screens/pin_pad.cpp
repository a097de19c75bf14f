#include "screens.hpp"

#include <algorithm>
#include <cmath>

namespace sayso::ui {

namespace {

std::string minutes(std::int64_t ms) {
    const std::int64_t m = (ms + 59'999) / 60'000;
    if (ms < 60'000) return std::to_string((ms + 999) / 1000) + " seconds";
    return std::to_string(m) + (m == 1 ? " minute" : " minutes");
}

// A PIN pad: dots for the digits typed, the keys, and what happened.
// Returns true when OK is tapped with something typed.
bool pin_keys(Ui& ui, std::string& entry, const std::string& title, const std::string& message, bool problem,
              const char* id_prefix = "pin:") {
    const auto& L = ui.layout;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const float cx = L.width * 0.5f;
    const float key = std::clamp(std::min(L.width, L.height) / 7.0f, L.target, 2.2f * L.target);
    const float gap = L.pad;
    const float pad_w = 3 * key + 2 * gap, pad_h = 4 * key + 3 * gap;
    const float head = ui.fonts.large->FontSize * 1.3f + ui.fonts.body->FontSize * 2.6f + key * 0.5f;
    float y = std::max(L.pad, (L.height - pad_h - head) * 0.5f);

    centred_text(pen, ui.fonts.large, title, cx, y, L.width - 4 * L.pad, pen.colours.ink);
    y += ui.fonts.large->FontSize * 1.3f;
    centred_text(pen, ui.fonts.body, message, cx, y, L.width - 4 * L.pad,
                 problem ? pen.colours.problem : pen.colours.muted);
    y += ui.fonts.body->FontSize * 2.6f;

    // One dot per digit typed: the PIN itself is never shown.
    const float r = key * 0.09f;
    const int n = static_cast<int>(entry.size());
    for (int i = 0; i < std::max(n, 4); ++i) {
        const ImVec2 c(std::round(cx + (static_cast<float>(i) - (std::max(n, 4) - 1) * 0.5f) * r * 3.2f),
                       std::round(y));
        if (i < n)
            fill_disc(pen, c, r, pen.colours.primary);
        else
            pen.dl->AddCircle(c, r, pen.colours.muted, 0, std::max(1.5f, r * 0.25f));
    }
    y += key * 0.5f;

    static const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "ok"};
    const float x0 = cx - pad_w * 0.5f;
    bool submitted = false;
    for (int i = 0; i < 12; ++i) {
        const ImVec2 a(x0 + static_cast<float>(i % 3) * (key + gap), y + static_cast<float>(i / 3) * (key + gap));
        const ImVec2 b(a.x + key, a.y + key);
        const std::string k = keys[i];
        const bool ok = k == "ok";
        const std::string label = k == "back" ? "\u2190" : ok ? "OK" : k;
        TileStyle st;
        st.primary = ok;
        st.enabled = !ok || !entry.empty();
        st.repeats = !ok; // a PIN's digits repeat; OK counts once
        if (!tile(ui.widgets, id_prefix + k, a, b, {}, label, ui.fonts.large, st)) continue;
        if (k == "back") {
            if (!entry.empty()) entry.pop_back();
        } else if (!ok) {
            if (entry.size() < 8) entry += k;
        } else {
            submitted = true;
        }
    }
    return submitted;
}

// Overwrites a PIN in memory before forgetting it.
void forget(std::string& pin) {
    pin.assign(pin.size(), '\0');
    pin.clear();
}

} // namespace

void draw_pin_pad(Ui& ui) {
    const auto& L = ui.layout;
    const bool admin = ui.flow.screen() == flow::Screen::AdminPin;
    const auto role = admin ? access::Role::Admin : access::Role::Practitioner;
    std::string msg = ui.held.pin_message;
    bool problem = !msg.empty();
    const auto until = ui.facts.pins.locked_until_ms(role);
    if (const auto locked = until > ui.wall_ms ? until - ui.wall_ms : 0; locked > 0) {
        msg = "Too many wrong PINs. Try again in " + minutes(locked) + (admin ? "." : ", or ask your admin.");
        problem = true;
    }
    if (ui.facts.pins.checking) {
        msg = "Checking the PIN\u2026";
        problem = false;
    }
    if (msg.empty())
        msg = admin ? (ui.held.quit_asked ? "Closing Sayso needs the admin PIN" : "For the admin")
                    : "For the practitioner";
    const std::string title = admin ? "Enter the admin PIN" : "Enter your PIN";
    // The PIN is checked off the frame (a slow hash on purpose); what it came
    // to arrives as the flow's next screen, or as pin_message.
    if (pin_keys(ui, ui.held.pin_entry, title, msg, problem) && !ui.facts.pins.checking) {
        ui.held.pin_message.clear();
        if (ui.facts.pins.usable) ui.ask(ask::CheckPin{.role = role, .pin = ui.held.pin_entry});
        forget(ui.held.pin_entry);
    }
    // The admin's way in from the PIN pad, and back out.
    const float w = std::max(L.em * 4, L.target * 1.2f), h = std::max(L.em * 1.8f, L.target * 0.6f);
    const ImVec2 a(L.width - 2 * L.pad - w, L.pad * 1.5f), b(L.width - 2 * L.pad, L.pad * 1.5f + h);
    if (admin) {
        if (tile(ui.widgets, "pin:cancel", a, b, {}, "Cancel", ui.fonts.body, {})) {
            ui.held.quit_asked = false;
            forget(ui.held.pin_entry);
            ui.held.pin_message.clear();
            ui.then([](flow::Flow& f) { f.close_admin(); });
        }
    } else if (tile(ui.widgets, "admin", a, b, {}, "Admin", ui.fonts.body, {})) {
        forget(ui.held.pin_entry);
        ui.held.pin_message.clear();
        ui.then([pin = ui.facts.pins.admin](flow::Flow& f) { f.open_admin(pin); });
    }
}

// Setting a PIN on the admin screen: typed twice, so a slip is caught.
bool draw_new_pin(Ui& ui) {
    auto& st = ui.held.admin;
    if (st.pin_role.empty()) return false;
    const bool again = !st.pin_first.empty();
    const std::string title =
        std::string(again ? "Type the new " : "New ") + st.pin_role + " PIN" + (again ? " again" : "");
    const std::string msg = st.message.empty() ? "4 to 8 digits" : st.message;
    if (pin_keys(ui, st.pin_entry, title, msg, st.message_is_problem, "newpin:")) {
        st.message.clear();
        st.message_is_problem = false;
        if (!again) {
            if (const auto usable = access::check_new_pin(st.pin_entry); !usable) {
                st.message = usable.words();
                st.message_is_problem = true;
            } else {
                st.pin_first = st.pin_entry;
            }
        } else if (st.pin_entry != st.pin_first) {
            forget(st.pin_first);
            st.message = "The two PINs were not the same. Start again.";
            st.message_is_problem = true;
        } else if (ui.facts.pins.usable) {
            // Hashed off the frame; the admin screen says when it is kept.
            const auto role = st.pin_role == "admin" ? access::Role::Admin : access::Role::Practitioner;
            ui.ask(ask::SetPin{.role = role, .pin = st.pin_entry});
            st.message = "Setting the " + st.pin_role + " PIN\u2026";
            forget(st.pin_first);
            st.pin_role.clear();
        }
        forget(st.pin_entry);
    }
    const auto& L = ui.layout;
    const float w = std::max(L.em * 4, L.target * 1.2f), h = std::max(L.em * 1.8f, L.target * 0.6f);
    if (tile(ui.widgets, "newpin:cancel", ImVec2(L.width - 2 * L.pad - w, L.pad * 1.5f),
             ImVec2(L.width - 2 * L.pad, L.pad * 1.5f + h), {}, "Cancel", ui.fonts.body, {})) {
        forget(st.pin_entry);
        forget(st.pin_first);
        st.pin_role.clear();
        st.message.clear();
    }
    return true;
}

} // namespace sayso::ui
