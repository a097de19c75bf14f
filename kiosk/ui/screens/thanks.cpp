#include "screens.hpp"

#include <algorithm>
#include <cmath>

namespace sayso::ui {

namespace {

// A short burst of confetti falling from the top; `t` runs 0..1.
void confetti(const Pen& pen, const Layout& L, float t) {
    const ImU32 colours[] = {pen.colours.accent, pen.colours.primary, colour::rgb(0xE5, 0x6B, 0x8F),
                             colour::rgb(0x7A, 0xB8, 0x4E), colour::rgb(0xF2, 0xC1, 0x2E)};
    const int pieces = 60;
    for (int i = 0; i < pieces; ++i) {
        // Fixed pseudo-random spread: the same celebration every time.
        const float fx = std::fmod(static_cast<float>(i) * 0.618034f, 1.0f);
        const float delay = std::fmod(static_cast<float>(i) * 0.381966f, 0.35f);
        const float p = std::clamp((t - delay) / (1.0f - delay), 0.0f, 1.0f);
        if (p <= 0 || p >= 1) continue;
        const float x = fx * L.width + std::sin(p * 9 + static_cast<float>(i)) * L.em;
        const float y = -L.em + p * (L.height * 0.9f);
        const float r = L.em * (0.18f + 0.1f * std::fmod(static_cast<float>(i) * 0.7f, 1.0f));
        const float a = p * 12 + static_cast<float>(i);
        const ImVec2 d(std::cos(a) * r, std::sin(a) * r * 0.5f);
        pen.dl->AddQuadFilled(ImVec2(x - d.x, y - d.y), ImVec2(x + d.y, y - d.x), ImVec2(x + d.x, y + d.y),
                              ImVec2(x - d.y, y + d.x), colours[i % 5]);
    }
}

} // namespace

void draw_thanks(Ui& ui) {
    const auto* s = ui.flow.session();
    if (!s) return;
    const auto& pack = *s->pack;
    const auto& band = *s->band;
    const auto& L = ui.layout;
    const bool still = s->access.less_motion;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const float cx = L.width * 0.5f;
    const float text_w = std::min(L.width - 4 * L.pad, 28 * L.em);

    static const char* const stickers[] = {"star",   "rainbow",  "unicorn",   "dinosaur",
                                           "rocket", "football", "sunflower", "cat"};
    const int n = static_cast<int>(std::size(stickers));
    const std::string& thanks = pack.word(band, "thanks", s->language);
    const std::string& note = pack.word(band, "thanks_note", s->language);
    const std::string& pick = pack.word(band, "pick_sticker", s->language);
    const float pic = std::min(L.short_side() * 0.24f, 4 * L.target);
    const float button_h = std::max(L.target, L.em * 2.6f);
    // Stickers: one row when it fits, else two.
    const float gap = L.pad * 0.6f;
    const int per_row = L.width - 4 * L.pad >= n * (L.target * 1.1f + gap) ? n : (n + 1) / 2;
    const float st = std::min(L.target * 1.4f, (L.width - 4 * L.pad - static_cast<float>(per_row - 1) * gap) /
                                                   static_cast<float>(per_row));
    const int rows = (n + per_row - 1) / per_row;
    const float stickers_h = pick.empty() ? 0
                                          : text_height(pen, ui.fonts.body, pick, text_w) + L.pad * 0.5f +
                                                static_cast<float>(rows) * (st + gap) + L.pad;
    const float block = pic + L.pad * 2 + text_height(pen, ui.fonts.title, thanks, text_w) + L.pad +
                        text_height(pen, ui.fonts.body, note, text_w) + L.pad * 2 + stickers_h + button_h;
    float y = std::max(L.pad * 2, (L.height - block) * 0.5f);

    // The picture pops in over the first half second; the child's sticker takes its place.
    const float since = static_cast<float>((ui.now - ui.screen_since).count());
    const float pop = still ? 1.0f : std::clamp(since / 500.0f, 0.0f, 1.0f);
    const float scale = 0.6f + 0.4f * (1 - (1 - pop) * (1 - pop)) + 0.08f * std::sin(pop * 3.14159f);
    const float half = pic * 0.5f * scale;
    const Picture shown =
        s->sticker.empty() ? ui.textures.asset("ui/party") : ui.textures.asset("stickers/" + s->sticker);
    draw_picture(pen, shown, ImVec2(cx - half, y + pic * 0.5f - half), ImVec2(cx + half, y + pic * 0.5f + half));
    y += pic + L.pad * 2;
    y += centred_text(pen, ui.fonts.title, thanks, cx, y, text_w, pen.colours.ink) + L.pad;
    y += centred_text(pen, ui.fonts.body, note, cx, y, text_w, pen.colours.muted) + L.pad * 2;

    if (!pick.empty()) {
        y += centred_text(pen, ui.fonts.body, pick, cx, y, text_w, pen.colours.ink) + L.pad * 0.5f;
        for (int i = 0; i < n; ++i) {
            const int row = i / per_row, col = i % per_row;
            const int in_row = std::min(per_row, n - row * per_row);
            const float row_w = static_cast<float>(in_row) * st + static_cast<float>(in_row - 1) * gap;
            const ImVec2 a(cx - row_w * 0.5f + static_cast<float>(col) * (st + gap),
                           y + static_cast<float>(row) * (st + gap));
            if (tile(ui.widgets, std::string("sticker:") + stickers[i], a, ImVec2(a.x + st, a.y + st),
                     ui.textures.asset(std::string("stickers/") + stickers[i]), "", ui.fonts.body,
                     TileStyle{.selected = s->sticker == stickers[i]}))
                ui.then([sticker = std::string(stickers[i])](flow::Flow& f) { f.pick_sticker(sticker); });
        }
        y += static_cast<float>(rows) * (st + gap) + L.pad;
    }

    const float button_w = std::min(L.width - 4 * L.pad, std::max(6 * L.target, 10 * L.em));
    if (tile(ui.widgets, "finish", ImVec2(cx - button_w * 0.5f, y), ImVec2(cx + button_w * 0.5f, y + button_h), {},
             pack.word(band, "finish", s->language), ui.fonts.large, TileStyle{.primary = true}))
        ui.then([](flow::Flow& f) { f.finish(); });

    // The practitioner's: the next child of this visit has a turn, without the PIN. Quiet, in the corner.
    {
        const float h = std::max(L.target * 0.75f, L.em * 2.0f);
        const float w = std::max(h * 3.4f, L.em * 8.5f);
        if (tile(ui.widgets, "next-child", ImVec2(L.width - L.pad * 1.5f - w, L.pad * 1.5f),
                 ImVec2(L.width - L.pad * 1.5f, L.pad * 1.5f + h), ui.textures.asset("ui/next_child"),
                 "Next child, same visit", ui.fonts.small, TileStyle{.row = true}))
            ui.then([](flow::Flow& f) { f.next_child(); });
    }

    if (!still) confetti(pen, L, std::clamp(since / 1800.0f, 0.0f, 1.0f)); // 1.8 s
}

} // namespace sayso::ui
