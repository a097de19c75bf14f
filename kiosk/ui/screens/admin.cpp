#include "screens.hpp"

#include <algorithm>

namespace sayso::ui {

namespace {

void say(AdminState& st, std::string words, bool problem = false) {
    st.message = std::move(words);
    st.message_is_problem = problem;
}

float line(const Pen& pen, const Ui& ui, float y, const std::string& text, ImU32 colour, ImFont* font = nullptr) {
    const auto& L = ui.layout;
    font = font ? font : ui.fonts.body;
    return start_text(pen, font, text, ImVec2(2 * L.pad, y), L.width - 4 * L.pad, colour) + L.pad * 0.4f;
}

void packs_tab(Ui& ui, const Pen& pen, float y) {
    const auto& L = ui.layout;
    auto& st = ui.held.admin;
    y += heading(pen, ui.fonts.body, "Installed survey packs", ImVec2(2 * L.pad, y), pen.colours.ink);
    const float h = std::max(L.target * 0.7f, L.em * 1.9f);
    const float bw = std::max(L.em * 7, L.target * 2.2f);
    if (ui.shelf.all().empty()) y += line(pen, ui, y, "None.", pen.colours.muted);
    for (const auto& p : ui.shelf.all()) {
        const bool off = ui.shelf.disabled().count(p->id) > 0;
        const std::string words = p->text(p->title, p->first_language()) + "  \u2013  " + p->id + " version " +
                                  p->version + (off ? "  (not in use)" : "");
        pen.dl->AddText(ui.fonts.body, ui.fonts.body->FontSize,
                        ImVec2(2 * L.pad, y + (h - ui.fonts.body->FontSize) * 0.5f),
                        off ? pen.colours.muted : pen.colours.ink, words.c_str());
        const ImVec2 a(L.width - 2 * L.pad - bw, y);
        if (tile(ui.widgets, "admin:toggle:" + p->id, a, ImVec2(a.x + bw, a.y + h), {}, off ? "Use it" : "Stop using",
                 ui.fonts.small, {})) {
            ui.ask(ask::UsePack{.id = p->id, .in_use = off});
            say(st, "\"" + p->id + "\" is " + (off ? "in use again." : "no longer offered."));
        }
        y += h + L.pad * 0.4f;
    }
    y += L.pad;
    y +=
        heading(pen, ui.fonts.body, "Install a pack from a USB stick or folder", ImVec2(2 * L.pad, y), pen.colours.ink);
    if (!st.found) {
        if (!st.looking) ui.ask(ask::LookForPacks{});
        st.looking = true;
        y += line(pen, ui, y, "Looking for pack folders\u2026", pen.colours.muted);
    }
    const auto found = st.found ? *st.found : std::vector<std::filesystem::path>{};
    if (st.found && found.empty()) {
        std::string where;
        for (const auto& r : ui.import_roots)
            where += (where.empty() ? "" : ", ") + r.string();
        y += line(pen, ui, y,
                  "No pack folders found in " + (where.empty() ? std::string("(none set)") : where) +
                      ". Plug in the USB stick and open this screen again.",
                  pen.colours.muted);
    }
    for (std::size_t i = 0; i < found.size() && i < 6; ++i) {
        const ImVec2 a(2 * L.pad, y);
        const float w = std::min(L.width - 4 * L.pad, L.em * 30);
        if (tile(ui.widgets, "admin:install:" + std::to_string(i), a, ImVec2(a.x + w, a.y + h), {},
                 "Install " + found[i].string(), ui.fonts.small, TileStyle{.enabled = !st.installing}) &&
            !st.installing) {
            // Copied, verified and its pictures decoded off the frame; the outcome comes as the message.
            ui.ask(ask::Install{.folder = found[i]});
            st.installing = true;
            st.problems.clear();
            say(st, "Installing " + found[i].string() + "\u2026");
        }
        y += h + L.pad * 0.4f;
    }
    // Every problem of a refused pack, as many as fit.
    for (std::size_t i = 0; i < st.problems.size(); ++i) {
        if (y > L.height - ui.fonts.small->FontSize * 3) {
            y += line(pen, ui, y,
                      "\u2026 and " + std::to_string(st.problems.size() - i) +
                          " more; 'sayso-admin validate' lists them all.",
                      pen.colours.problem, ui.fonts.small);
            break;
        }
        y += line(pen, ui, y, st.problems[i], pen.colours.problem, ui.fonts.small);
    }
}

// Enrolment: the collector's address and the one-time code from
// `sayso-collector enrol NAME` in one row, with the Enrol button at its end
// when not typing; the kiosk does the rest off the UI thread.
float enrol_fields(const Pen& pen, Ui& ui, float y, bool with_button) {
    const auto& L = ui.layout;
    auto& st = ui.held.admin;
    const float fh = std::max(L.target * 0.75f, L.em * 2.0f);
    const float all = L.width - 4 * L.pad;
    const float bw = with_button ? std::max(L.em * 6, L.target * 1.6f) : 0;
    const float cw = std::min(L.em * 11, all * 0.3f);
    const float aw = all - cw - bw - L.pad * (with_button ? 2 : 1);
    struct Field {
        const char* id;
        const char* label;
        const std::string& value;
        float x, w;
    };
    const Field fields[] = {{"endpoint", "Collector address", st.endpoint, 2 * L.pad, aw},
                            {"code", "Enrolment code", st.code, 2 * L.pad + aw + L.pad, cw}};
    const float top = y + ui.fonts.small->FontSize * 1.3f;
    for (const auto& f : fields) {
        pen.dl->AddText(ui.fonts.small, ui.fonts.small->FontSize, ImVec2(f.x, y), pen.colours.muted, f.label);
        const ImVec2 a(f.x, top), b(a.x + f.w, a.y + fh);
        const bool active = st.typing == f.id;
        const std::string shown = f.value + (active ? "|" : "");
        if (tile(ui.widgets, std::string("admin:field:") + f.id, a, b, {}, shown.empty() ? " " : shown, ui.fonts.body,
                 TileStyle{.selected = active}))
            st.typing = active ? "" : f.id;
    }
    if (with_button) {
        const bool ready = !st.enrolling && !st.endpoint.empty() && !st.code.empty();
        const ImVec2 a(L.width - 2 * L.pad - bw, top);
        if (tile(ui.widgets, "admin:enrol", a, ImVec2(a.x + bw, a.y + fh), {},
                 st.enrolling ? "Enrolling\u2026" : "Enrol", ui.fonts.body,
                 TileStyle{.enabled = ready, .primary = ready}) &&
            ready) {
            ui.ask(ask::Enrol{.endpoint = st.endpoint, .code = st.code});
            st.enrolling = true;
            st.message.clear();
        }
    }
    return top + fh + L.pad * 0.6f;
}

void delivery_tab(Ui& ui, const Pen& pen, float y) {
    const auto& L = ui.layout;
    auto& st = ui.held.admin;
    // The settings file is read off the frame, when the tab opens and after an enrolment.
    if (!st.settings_loaded && !st.settings_loading && !ui.delivery_settings.empty()) {
        ui.ask(ask::LoadDeliverySettings{});
        st.settings_loading = true;
    }
    if (!st.typing.empty()) {
        // Typing: the fields and a keyboard, nothing else to tap by mistake.
        y = enrol_fields(pen, ui, y, false);
        const auto press = keyboard(ui, st.typing == "endpoint" ? "url" : "codes", ImVec2(2 * L.pad, y),
                                    ImVec2(L.width - 2 * L.pad, L.height - L.pad), "Done", true);
        std::string& value = st.typing == "endpoint" ? st.endpoint : st.code;
        if (!press.typed.empty() && press.typed != " " && value.size() < 200) value += press.typed;
        if (press.erase && !value.empty()) value.pop_back(); // addresses and codes are ASCII
        if (press.done) st.typing.clear();
        return;
    }
    y += heading(pen, ui.fonts.body, "Delivery", ImVec2(2 * L.pad, y), pen.colours.ink);
    std::string words;
    const bool bad = delivery_words(ui, words);
    y += line(pen, ui, y, words, bad ? pen.colours.problem : pen.colours.ink);
    if (ui.delivery_settings.empty()) {
        line(pen, ui, y, "No delivery settings file is given (--sync-config), so this tablet can't be enrolled.",
             pen.colours.muted);
        return;
    }
    // What the settings say (never the token).
    if (!st.settings_words.empty())
        y += line(pen, ui, y, st.settings_words, pen.colours.ink);
    else if (!st.settings_problem.empty())
        y += line(pen, ui, y, "The settings file has a problem: " + st.settings_problem, pen.colours.problem);
    y += line(pen, ui, y, "Settings file: " + ui.delivery_settings + " (format in sync/README.md).", pen.colours.muted,
              ui.fonts.small);
    if (ui.delivery)
        y += line(pen, ui, y, "Delivery rounds so far: " + std::to_string(ui.delivery->rounds), pen.colours.muted,
                  ui.fonts.small);
    y += L.pad * 0.5f;
    y += heading(pen, ui.fonts.body, st.enrolled ? "Enrol again" : "Enrol this tablet", ImVec2(2 * L.pad, y),
                 pen.colours.ink);
    y += line(pen, ui, y,
              "On the collector, run: sayso-collector enrol TABLET-NAME. Type the address and the code it "
              "prints. The code works once.",
              pen.colours.muted, ui.fonts.small);
    enrol_fields(pen, ui, y, true);
}

void pins_tab(Ui& ui, const Pen& pen, float y) {
    const auto& L = ui.layout;
    y += heading(pen, ui.fonts.body, "PINs", ImVec2(2 * L.pad, y), pen.colours.ink);
    if (!ui.facts.pins.usable) {
        line(pen, ui, y, "The answers file can't be used, so PINs can't be kept.", pen.colours.problem);
        return;
    }
    const float h = std::max(L.target * 0.8f, L.em * 2.2f);
    const float w = std::min(L.width - 4 * L.pad, L.em * 16);
    for (const char* role : {"practitioner", "admin"}) {
        const bool has =
            ui.facts.pins.has(std::string(role) == "admin" ? access::Role::Admin : access::Role::Practitioner);
        const ImVec2 a(2 * L.pad, y);
        if (tile(ui.widgets, std::string("admin:pin:") + role, a, ImVec2(a.x + w, a.y + h), {},
                 std::string(has ? "Change the " : "Set a ") + role + " PIN", ui.fonts.body, {})) {
            ui.held.admin.pin_role = role;
            ui.held.admin.message.clear();
        }
        y += h + L.pad * 0.5f;
    }
}

void wipe_tab(Ui& ui, const Pen& pen, float y) {
    const auto& L = ui.layout;
    auto& st = ui.held.admin;
    y += heading(pen, ui.fonts.body, "Wipe this tablet", ImVec2(2 * L.pad, y), pen.colours.ink);
    const std::int64_t waiting = ui.facts.waiting;
    const std::string what = "Wiping deletes every answer on this tablet" +
                             (waiting > 0 ? ", including " + std::to_string(waiting) + " survey" +
                                                (waiting == 1 ? "" : "s") + " not yet sent,"
                                          : std::string(",")) +
                             " its PINs and settings, and its delivery token and keys. Survey packs stay.";
    y += line(pen, ui, y, what, waiting > 0 ? pen.colours.problem : pen.colours.ink);
    const float h = std::max(L.target * 0.8f, L.em * 2.2f);
    const float w = std::min(L.width - 4 * L.pad, L.em * 18);
    const ImVec2 a(2 * L.pad, y + L.pad);
    const char* labels[] = {"Wipe this tablet", "Yes, delete everything", "Really wipe: this can't be undone"};
    const char* ids[] = {"admin:wipe", "admin:wipe-sure", "admin:wipe-really"};
    if (tile(ui.widgets, ids[st.wipe_step], a, ImVec2(a.x + w, a.y + h), {}, labels[st.wipe_step], ui.fonts.body,
             TileStyle{.selected = st.wipe_step > 0})) {
        if (st.wipe_step < 2) {
            ++st.wipe_step;
        } else {
            st.wipe_step = 0;
            if (!ui.facts.pins.usable) return say(st, "The answers file can't be used, so it can't be wiped.", true);
            // Delivery stops first; then the answers, PINs, settings, token and keys go, off the frame.
            ui.ask(ask::Wipe{});
            say(st, "Wiping\u2026");
        }
    }
    if (st.wipe_step > 0 && tile(ui.widgets, "admin:wipe-cancel", ImVec2(a.x + w + L.pad, a.y),
                                 ImVec2(a.x + 2 * w + L.pad, a.y + h), {}, "No, keep everything", ui.fonts.body, {}))
        st.wipe_step = 0;
}

} // namespace

void draw_admin(Ui& ui) {
    if (draw_new_pin(ui)) return;
    const auto& L = ui.layout;
    auto& st = ui.held.admin;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    float y = L.pad * 1.5f;
    pen.dl->AddText(ui.fonts.large, ui.fonts.large->FontSize, ImVec2(2 * L.pad, y), pen.colours.primary, "Sayso admin");
    const float w = std::max(L.em * 4, L.target * 1.2f), h = std::max(L.em * 1.8f, L.target * 0.6f);
    if (tile(ui.widgets, "admin:close", ImVec2(L.width - 2 * L.pad - w, y), ImVec2(L.width - 2 * L.pad, y + h), {},
             "Close", ui.fonts.body, {})) {
        st = AdminState{};
        ui.held.quit_asked = false;
        ui.then([](flow::Flow& f) { f.close_admin(); });
        return;
    }
    y += ui.fonts.large->FontSize + L.pad;
    if (ui.facts.pins.usable && !ui.facts.pins.admin)
        y += notice(pen, ui, y, "No admin PIN is set, so anyone can open this screen. Set one under PINs.");

    // Tabs.
    const char* tabs[][2] = {{"packs", "Survey packs"}, {"delivery", "Delivery"}, {"pins", "PINs"}, {"wipe", "Wipe"}};
    const float tw = std::min(L.em * 8, (L.width - 4 * L.pad - 3 * L.pad) / 4);
    const float th = std::max(L.target * 0.7f, L.em * 1.9f);
    for (int i = 0; i < 4; ++i) {
        const ImVec2 a(2 * L.pad + static_cast<float>(i) * (tw + L.pad), y);
        if (tile(ui.widgets, std::string("admin:tab:") + tabs[i][0], a, ImVec2(a.x + tw, a.y + th), {}, tabs[i][1],
                 ui.fonts.body, TileStyle{.selected = st.tab == tabs[i][0]})) {
            st.tab = tabs[i][0];
            st.message.clear();
            st.problems.clear();
            st.wipe_step = 0;
            st.found.reset();                             // look at the sticks again
            if (st.tab == "wipe") ui.ask(ask::Refresh{}); // how many answers are waiting now
        }
    }
    y += th + L.pad;
    if (!st.message.empty()) {
        if (st.message_is_problem)
            y += notice(pen, ui, y, st.message);
        else
            y += line(pen, ui, y, st.message, pen.colours.primary);
    }
    if (st.tab == "packs")
        packs_tab(ui, pen, y);
    else if (st.tab == "delivery")
        delivery_tab(ui, pen, y);
    else if (st.tab == "pins")
        pins_tab(ui, pen, y);
    else
        wipe_tab(ui, pen, y);
}

} // namespace sayso::ui
