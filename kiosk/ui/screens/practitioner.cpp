#include "screens.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace sayso::ui {

namespace {

// A row of equal tiles that wraps onto more lines when it must. Returns the height used.
template <class Each> float tile_rows(const Layout& L, float y, int n, float tile_w, float tile_h, Each&& each) {
    const float gap = L.pad;
    const float avail = L.width - 4 * L.pad;
    const int per_row = std::max(1, static_cast<int>((avail + gap) / (tile_w + gap)));
    const int rows = (n + per_row - 1) / per_row;
    for (int i = 0; i < n; ++i) {
        const int row = i / per_row, col = i % per_row;
        const ImVec2 a(2 * L.pad + static_cast<float>(col) * (tile_w + gap),
                       y + static_cast<float>(row) * (tile_h + gap));
        each(i, a, ImVec2(a.x + tile_w, a.y + tile_h));
    }
    return static_cast<float>(rows) * tile_h + static_cast<float>(rows - 1) * gap;
}

} // namespace

float notice(const Pen& pen, const Ui& ui, float y, const std::string& text) {
    const auto& L = ui.layout;
    const float w = L.width - 4 * L.pad;
    const float inset = L.pad * 0.6f;
    const float h = text_height(pen, ui.fonts.small, text, w - 2 * inset) + 2 * inset;
    fill_rounded(pen, ImVec2(2 * L.pad, y), ImVec2(2 * L.pad + w, y + h), pen.colours.problem_soft, L.em * 0.3f);
    pen.dl->AddRectFilled(ImVec2(2 * L.pad, y), ImVec2(2 * L.pad + L.mm * 1.2f, y + h), pen.colours.problem);
    // Left-aligned lines: centred_text centres on a given x, so give it the middle.
    float ty = y + inset;
    ImGui::PushFont(ui.fonts.small);
    pen.dl->AddText(ui.fonts.small, ui.fonts.small->FontSize, ImVec2(2 * L.pad + inset * 1.5f, ty), pen.colours.problem,
                    text.c_str(), nullptr, w - 2 * inset);
    ImGui::PopFont();
    return h + L.pad * 0.5f;
}

bool delivery_words(const Ui& ui, std::string& words) {
    if (!ui.delivery) {
        if (!ui.delivery_problem.empty()) {
            words = "Delivery is off: " + ui.delivery_problem + ". Answers stay on this tablet safely.";
            return true;
        }
        words = "Delivery is not set up on this tablet; answers stay here safely. An admin can enrol it on the admin "
                "screen (Delivery).";
        return false;
    }
    const auto& d = *ui.delivery;
    if (d.waiting < 0)
        words = "Checking for answers to send…";
    else if (d.waiting == 0)
        words = d.refused > 0 ? "Everything else has been sent." : "Everything has been sent.";
    else
        words = std::to_string(d.waiting) + (d.waiting == 1 ? " survey is" : " surveys are") + " waiting to be sent.";
    if (d.last_delivery_ms) {
        std::time_t t = static_cast<std::time_t>(*d.last_delivery_ms / 1000);
        std::tm tm{};
        localtime_r(&t, &tm);
        char when[64];
        std::strftime(when, sizeof when, " Last sent %H:%M on %d %b.", &tm);
        words += when;
    }
    if (!d.problem.empty()) words += " " + d.problem;
    // Kept, never sent again: only an admin can find out why, so it is a notice.
    if (d.refused > 0)
        words += " " + std::to_string(d.refused) + (d.refused == 1 ? " survey was" : " surveys were") +
                 " refused by the server and kept on this tablet; ask your admin.";
    return !d.problem.empty() || d.refused > 0;
}

namespace {

// Optional, pseudonymous: who is visiting and for which case. Never a name.
// Returns the y below them.
float code_fields(const Pen& pen, Ui& ui, float y) {
    const auto& L = ui.layout;
    const auto& flow = ui.flow;

    const float fh = std::max(L.target * 0.75f, L.em * 2.0f);
    const float fw = std::min((L.width - 5 * L.pad) * 0.5f, L.em * 14);
    struct Field {
        const char* id;
        const char* label;
        const std::string& value;
        bool ok;
    };
    const Field fields[] = {{"code", "Your code (optional)", flow.practitioner_code(), flow.practitioner_code_ok()},
                            {"case", "Case reference (optional)", flow.case_ref(), flow.case_ref_ok()}};
    float x = 2 * L.pad;
    for (const auto& f : fields) {
        pen.dl->AddText(ui.fonts.small, ui.fonts.small->FontSize, ImVec2(x, y), pen.colours.muted, f.label);
        const ImVec2 a(x, y + ui.fonts.small->FontSize * 1.3f), b(a.x + fw, a.y + fh);
        const bool active = ui.held.editing == f.id;
        const std::string shown = f.value + (active ? "|" : "");
        if (tile(ui.widgets, std::string("field:") + f.id, a, b, {}, shown.empty() ? " " : shown, ui.fonts.body,
                 TileStyle{.selected = active}))
            ui.held.editing = active ? "" : f.id;
        if (!f.ok) pen.dl->AddRect(a, b, pen.colours.problem, std::min(fw, fh) * 0.18f, 0, std::max(3.0f, L.mm * 0.8f));
        x += fw + L.pad;
    }
    y += ui.fonts.small->FontSize * 1.3f + fh + L.pad * 0.4f;
    if (!flow.case_ref_ok())
        y += notice(pen, ui, y,
                    "This case reference doesn't look like the ones your admin set up (" + flow.case_pattern() +
                        "). Letters, digits and - / . _ only; never a name.");
    y += L.pad;
    return y;
}

// Typing a code: the fields and a keyboard, nothing else to tap by mistake.
void edit_codes(const Pen& pen, Ui& ui, float y) {
    const auto& L = ui.layout;
    const auto& flow = ui.flow;
    y = code_fields(pen, ui, y);
    const auto press =
        keyboard(ui, "codes", ImVec2(2 * L.pad, y), ImVec2(L.width - 2 * L.pad, L.height - L.pad), "Done", true);
    std::string value = ui.held.editing == "code" ? flow.practitioner_code() : flow.case_ref();
    if (!press.typed.empty() && press.typed != " " && value.size() < 40) value += press.typed;
    if (press.erase && !value.empty()) value.pop_back(); // codes are ASCII
    if (!press.typed.empty() || press.erase) {
        if (ui.held.editing == "code")
            ui.then([value](flow::Flow& f) { f.set_practitioner_code(value); });
        else
            ui.then([value](flow::Flow& f) { f.set_case_ref(value); });
    }
    if (press.done) ui.held.editing.clear();
}

} // namespace

void draw_practitioner(Ui& ui) {
    const auto& L = ui.layout;
    const auto& flow = ui.flow;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    float y = L.pad * 1.5f;

    pen.dl->AddText(ui.fonts.large, ui.fonts.large->FontSize, ImVec2(2 * L.pad, y), pen.colours.primary, "Sayso");
    const float title_w = ui.fonts.large->CalcTextSizeA(ui.fonts.large->FontSize, FLT_MAX, 0, "Sayso").x;
    pen.dl->AddText(
        ui.fonts.body, ui.fonts.body->FontSize,
        ImVec2(2 * L.pad + title_w + L.pad, y + (ui.fonts.large->FontSize - ui.fonts.body->FontSize) * 0.7f),
        pen.colours.muted, "Before you pass the tablet to the child");
    {
        // Lock the screen now, e.g. before leaving the tablet on a table; and the admin's way in.
        const float w = std::max(L.em * 4, L.target * 1.2f), h = std::max(L.em * 1.8f, L.target * 0.6f);
        float x = L.width - 2 * L.pad - w;
        if (flow.locking()) {
            if (tile(ui.widgets, "lock", ImVec2(x, y), ImVec2(x + w, y + h), {}, "Lock", ui.fonts.body, {}))
                ui.then([](flow::Flow& f) { f.lock(); });
            x -= w + L.pad;
        }
        if (tile(ui.widgets, "admin", ImVec2(x, y), ImVec2(x + w, y + h), {}, "Admin", ui.fonts.body, {}))
            ui.then([pin = ui.facts.pins.admin](flow::Flow& f) { f.open_admin(pin); });
    }
    y += ui.fonts.large->FontSize + L.pad;

    // A child asked to talk: first, calm, and without any of their answers.
    if (flow.talk_requests() > 0) {
        const float w = L.width - 4 * L.pad, h = std::max(L.target * 0.9f, L.em * 2.4f);
        const ImVec2 a(2 * L.pad, y), b(a.x + w, y + h);
        fill_rounded(pen, a, b, pen.colours.accent_soft, L.em * 0.4f);
        const float bw = std::max(L.em * 7, L.target * 2.2f);
        const std::string msg =
            flow.talk_requests() == 1
                ? "The child asked to talk to someone. Please talk with them now."
                : std::to_string(flow.talk_requests()) + " children asked to talk to someone. Please talk with them.";
        ImGui::PushFont(ui.fonts.body);
        pen.dl->AddText(ui.fonts.body, ui.fonts.body->FontSize,
                        ImVec2(a.x + L.pad, a.y + (h - ui.fonts.body->FontSize * 1.15f) * 0.5f), pen.colours.ink,
                        msg.c_str(), nullptr, w - bw - 3 * L.pad);
        ImGui::PopFont();
        if (tile(ui.widgets, "talk_seen", ImVec2(b.x - bw - L.pad * 0.4f, a.y + L.pad * 0.4f),
                 ImVec2(b.x - L.pad * 0.4f, b.y - L.pad * 0.4f), {}, "I'll talk with them", ui.fonts.small, {}))
            ui.ask(ask::TalkSeen{}); // kept, so the notice does not come back after a restart
        y += h + L.pad * 0.5f;
    }

    // What needs the practitioner's attention comes first, in words.
    {
        // Development settings, in one line: fine for trying Sayso out, not for children's answers.
        std::string dev;
        if (ui.storage_problem.empty() && !ui.facts.sealing)
            dev += "answers are not sealed (no seal_keys in the delivery settings)";
        if (ui.shelf.trust().allow_unsigned)
            dev += std::string(dev.empty() ? "" : "; ") + "packs are taken unsigned (--allow-unsigned-packs)";
        if (!dev.empty()) y += notice(pen, ui, y, "Development settings: " + dev + ". Not for children's answers.");
    }
    if (!ui.storage_problem.empty()) y += notice(pen, ui, y, ui.storage_problem);
    if (flow.unsaved() > 0 && flow.storage_problem())
        y += notice(pen, ui, y,
                    std::to_string(flow.unsaved()) + " answer" + (flow.unsaved() == 1 ? " is" : "s are") +
                        " held on screen until they can be saved. " + flow::describe(*flow.storage_problem()) +
                        " Keep Sayso open: it keeps trying.");
    else if (flow.storage_problem())
        y += notice(pen, ui, y, flow::describe(*flow.storage_problem()));
    if (!ui.shelf.refused().empty()) {
        std::string msg = std::to_string(ui.shelf.refused().size()) + " survey pack" +
                          (ui.shelf.refused().size() == 1 ? " was" : "s were") +
                          " refused; the last good version stays in use. Ask your admin to run "
                          "'sayso-admin validate'. First problem: ";
        for (const auto& p : ui.shelf.problems())
            if (p.severity == pack::Problem::Severity::Error) {
                msg += p.str();
                break;
            }
        y += notice(pen, ui, y, msg);
    }
    std::string delivery;
    if (delivery_words(ui, delivery))
        y += notice(pen, ui, y, delivery);
    else {
        pen.dl->AddText(ui.fonts.small, ui.fonts.small->FontSize, ImVec2(2 * L.pad, y), pen.colours.muted,
                        delivery.c_str());
        y += ui.fonts.small->FontSize * 1.4f;
    }
    if (ui.shelf.packs().empty()) {
        y += notice(pen, ui, y, "No survey packs are installed. Ask your admin to load one.");
        return;
    }
    if (!ui.held.editing.empty()) {
        edit_codes(pen, ui, y);
        return;
    }

    const auto& packs = ui.shelf.packs();
    // The first pack until one is picked, or when the picked one is no longer offered.
    const pack::Pack* chosen = flow.selected_pack();
    if (!chosen || !ui.shelf.find(chosen->id)) {
        chosen = packs.front().get();
        ui.then([first = packs.front()](flow::Flow& f) { f.select_pack(first); });
    }
    const pack::Pack& pack = *chosen;
    const std::string& lang = pack.first_language();

    if (packs.size() > 1) {
        // Each survey with its picture and the ages it fits, so the right one is found at a glance.
        y += heading(pen, ui.fonts.body, "Which survey?", ImVec2(2 * L.pad, y), pen.colours.ink);
        const float h = std::max(L.target * 0.8f, L.em * 2.2f);
        y += tile_rows(L, y, static_cast<int>(packs.size()), std::max(L.em * 11, L.target * 3.0f), h,
                       [&](int i, ImVec2 a, ImVec2 b) {
                           const auto& p = packs[static_cast<std::size_t>(i)];
                           const auto [youngest, oldest] = p->ages();
                           const std::string label = p->text(p->title, p->first_language()) + " \u00b7 ages " +
                                                     std::to_string(youngest) + "\u2013" + std::to_string(oldest);
                           if (tile(ui.widgets, "pack:" + p->id, a, b, ui.textures.file(p->picture), label,
                                    ui.fonts.body, TileStyle{.selected = p.get() == &pack, .row = true}))
                               ui.then([p](flow::Flow& f) { f.select_pack(p); });
                       }) +
             L.pad;
    }

    y += heading(pen, ui.fonts.body, "How old is the child?", ImVec2(2 * L.pad, y), pen.colours.ink);
    const int nb = static_cast<int>(pack.bands.size());
    const float band_w = std::clamp((L.width - 4 * L.pad - static_cast<float>(nb - 1) * L.pad) / static_cast<float>(nb),
                                    L.target * 1.2f, L.target * 2.6f);
    // As tall as the room left allows once the visit types, the codes and the
    // hand-over button below have theirs, so the button is never pushed off screen.
    const float below = ui.fonts.body->FontSize * 1.2f + std::max(L.target * 0.75f, L.em * 2.0f) + L.pad * 2 +
                        ui.fonts.small->FontSize * 1.3f + std::max(L.target * 0.75f, L.em * 2.0f) + L.pad * 1.4f +
                        std::max(L.target, L.em * 2.6f) + L.pad * 2;
    const int per_row = std::max(1, static_cast<int>((L.width - 4 * L.pad + L.pad) / (band_w + L.pad)));
    const int band_rows = (nb + per_row - 1) / per_row;
    const float band_h = std::max(L.target, std::min(band_w * 0.95f, (L.height - y - below - L.pad) / band_rows -
                                                                         L.pad * static_cast<float>(band_rows - 1)));
    y += tile_rows(L, y, nb, band_w, band_h,
                   [&](int i, ImVec2 a, ImVec2 b) {
                       const auto& band = pack.bands[static_cast<std::size_t>(i)];
                       if (tile(ui.widgets, "band:" + band.id, a, b, ui.textures.file(band.picture),
                                pack.text(band.label, lang), ui.fonts.body,
                                TileStyle{.selected = flow.selected_band() == band.id}))
                           ui.then([id = band.id](flow::Flow& f) { f.select_band(id); });
                   }) +
         L.pad;

    y += heading(pen, ui.fonts.body, "What kind of visit?", ImVec2(2 * L.pad, y), pen.colours.ink);
    const float visit_h = std::max(L.target * 0.75f, L.em * 2.0f);
    y += tile_rows(L, y, static_cast<int>(pack.visit_types.size()), std::max(L.em * 7, L.target * 2.0f), visit_h,
                   [&](int i, ImVec2 a, ImVec2 b) {
                       const auto& v = pack.visit_types[static_cast<std::size_t>(i)];
                       if (tile(ui.widgets, "visit:" + v.id, a, b, {}, pack.text(v.label, lang), ui.fonts.body,
                                TileStyle{.selected = flow.selected_visit() == v.id}))
                           ui.then([id = v.id](flow::Flow& f) { f.select_visit(id); });
                   }) +
         L.pad * 2;

    y = code_fields(pen, ui, y);

    const float button_h = std::max(L.target, L.em * 2.6f);
    const float button_w = std::min(L.width - 4 * L.pad, std::max(L.em * 16, L.target * 5));
    // Never below the screen's edge, however much is above it.
    const float by = std::min(std::max(y, L.height - L.pad * 2 - button_h), L.height - L.pad * 0.5f - button_h);

    const bool ready = flow.can_hand_over() && ui.storage_problem.empty() && !ui.facts.wiping;
    if (tile(ui.widgets, "handover", ImVec2((L.width - button_w) * 0.5f, by),
             ImVec2((L.width + button_w) * 0.5f, by + button_h), {}, "Pass the tablet to the child \u2192",
             ui.fonts.large, TileStyle{.enabled = ready, .primary = true}))
        ui.then([](flow::Flow& f) { (void)f.hand_over(); }); // a problem shows on this screen
}

} // namespace sayso::ui
