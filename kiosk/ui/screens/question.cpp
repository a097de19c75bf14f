#include "screens.hpp"

#include "text/languages.hpp"

#include <algorithm>
#include <cmath>

namespace sayso::ui {

namespace {

// Right-to-left languages read scales, grids and progress from the right.
bool rtl(const flow::Session& s) {
    const auto* l = text::find_language(s.language);
    return l && l->rtl;
}

void progress_dots(const Pen& pen, const Layout& L, const flow::Session& s, float y) {
    const std::size_t n = s.count();
    float r = L.em * 0.32f;
    float gap = L.em * 0.55f;
    const float max_w = L.width - 4 * L.pad;
    if (static_cast<float>(n) * (2 * r + gap) > max_w) {
        const float k = max_w / (static_cast<float>(n) * (2 * r + gap));
        r *= k;
        gap *= k;
    }
    const float total = static_cast<float>(n) * 2 * r + static_cast<float>(n - 1) * gap;
    const float x0 = (L.width - total) * 0.5f + r;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t slot = rtl(s) ? n - 1 - i : i;
        const ImVec2 c(std::round(x0 + static_cast<float>(slot) * (2 * r + gap)), std::round(y + r));
        const bool answered = s.answer(s.band->questions[i].id) != nullptr;
        if (i == s.index) {
            fill_disc(pen, c, r * 1.35f, pen.colours.accent);
        } else if (answered) {
            fill_disc(pen, c, r, pen.colours.primary);
        } else {
            pen.dl->AddCircle(c, r, pen.colours.muted, 0, std::max(1.5f, r * 0.25f));
        }
    }
}

void answers(Ui& ui, const flow::Session& s, ImVec2 min, ImVec2 max) {
    const auto& q = s.question();
    const auto& pack = *s.pack;
    const auto* given = s.answer(q.id);
    const bool single = q.single_choice();
    const bool speaking = can_speak(ui, s);
    const bool scale = q.kind == pack::Kind::Faces || q.kind == pack::Kind::YesNo;
    const auto places = place_answers(ui.layout, static_cast<int>(q.options.size()), {min.x, min.y, max.x, max.y},
                                      scale, speaking, rtl(s));
    for (std::size_t i = 0; i < q.options.size(); ++i) {
        const auto& o = q.options[i];
        const Box& t = places.tiles[i];
        TileStyle st;
        st.check = q.kind == pack::Kind::PickMany;
        st.selected = s.picked.count(o.id) > 0 ||
                      (single && given && !given->skipped && !given->options.empty() && given->options[0] == o.id);
        if (ui.flow.confirming() == o.id && !s.access.less_motion) st.pulse = ui.flow.confirm_progress();
        Picture pic = o.builtin ? ui.textures.asset(o.picture) : ui.textures.file(o.picture);
        const std::string& label = pack.label(*s.band, o, s.language);
        if (tile(ui.widgets, "answer:" + q.id + ":" + o.id, ImVec2(t.x0, t.y0), ImVec2(t.x1, t.y1), pic, label,
                 ui.fonts.body, st))
            ui.then([id = o.id](flow::Flow& f) { f.choose(id); });
        if (!speaking) continue;
        const Box& sp = places.speakers[i];
        const ImVec2 c((sp.x0 + sp.x1) * 0.5f, (sp.y0 + sp.y1) * 0.5f);
        const float r = sp.width() * 0.5f;
        if (speak_hit(ui, "speak:" + q.id + ":" + o.id, c, r)) {
            ui.then([](flow::Flow& f) { f.touch(); });
            ui.speaker->say({speech_item(s, label, q.id + "." + o.id)});
        }
        speak_draw(ui, c, r);
    }
}

// A canvas to draw on with a finger, and big crayons, an eraser, undo and clear beside it.
void canvas(Ui& ui, const flow::Session& s, ImVec2 min, ImVec2 max) {
    const auto& L = ui.layout;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    constexpr float cw = draw::Drawing::kWidth, ch = draw::Drawing::kHeight;
    const auto places =
        place_canvas(L, {min.x, min.y, max.x, max.y}, static_cast<int>(draw::kCrayons.size()), cw / ch, rtl(s));
    Box c = places.canvas;
    c = {std::round(c.x0), std::round(c.y0), std::round(c.x1), std::round(c.y1)};
    const ImVec2 a(c.x0, c.y0), b(c.x1, c.y1);
    const float edge = std::max(3.0f, L.mm * 0.8f);
    fill_rounded(pen, ImVec2(a.x - edge, a.y - edge + L.mm), ImVec2(b.x + edge, b.y + edge + L.mm), pen.colours.shadow,
                 edge * 2);
    fill_rounded(pen, ImVec2(a.x - edge, a.y - edge), ImVec2(b.x + edge, b.y + edge), pen.colours.primary, edge * 2);
    if (ui.canvas)
        pen.dl->AddImage(reinterpret_cast<ImTextureID>(ui.canvas.texture), a, b);
    else
        pen.dl->AddRectFilled(a, b, 0xFFFFFFFF);

    // The finger on the canvas: a stroke from where it lands to where it lifts.
    ImGui::SetCursorScreenPos(a);
    ImGui::InvisibleButton("##canvas", ImVec2(c.width(), c.height()));
    ui.widgets.add("canvas", a, b);
    const ImVec2 m = ImGui::GetIO().MousePos;
    const draw::Point p{(m.x - c.x0) * cw / c.width(), (m.y - c.y0) * ch / c.height()};
    // A canvas just shown takes no stroke: the second tap of a double tap on what came before is not a dot.
    const bool here = ImGui::IsMousePosValid();
    if (ImGui::IsItemActivated() && here && ui.widgets.settled())
        ui.then([p](flow::Flow& f) { f.draw_from(p); });
    else if (ImGui::IsItemActive() && here)
        ui.then([p](flow::Flow& f) { f.draw_to(p); });
    if (ImGui::IsItemDeactivated()) {
        // Let go where it is; a pointer that left the screen was a palm's, and its stroke goes.
        if (here)
            ui.then([p](flow::Flow& f) {
                f.draw_to(p);
                f.draw_end();
            });
        else
            ui.then([](flow::Flow& f) { f.draw_cancel(); });
    }

    const auto* d = ui.flow.drawing();
    for (std::size_t i = 0; i < places.crayons.size(); ++i) {
        const Box& t = places.crayons[i];
        const int tool = static_cast<int>(i);
        if (tile(ui.widgets, "crayon:" + std::to_string(i), ImVec2(t.x0, t.y0), ImVec2(t.x1, t.y1), {}, "",
                 ui.fonts.body, TileStyle{.selected = s.tool == tool}))
            ui.then([tool](flow::Flow& f) { f.pick_tool(tool); });
        const std::uint32_t rgb = draw::kCrayons[i];
        const ImU32 colour = IM_COL32((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF, 0xFF);
        fill_disc(pen, ImVec2(std::round((t.x0 + t.x1) * 0.5f), std::round((t.y0 + t.y1) * 0.5f)),
                  std::round(t.width() * 0.3f), colour);
    }
    const Box& e = places.eraser;
    if (tile(ui.widgets, "eraser", ImVec2(e.x0, e.y0), ImVec2(e.x1, e.y1), ui.textures.asset("ui/eraser"), "",
             ui.fonts.body, TileStyle{.selected = s.tool == draw::kEraser}))
        ui.then([](flow::Flow& f) { f.pick_tool(draw::kEraser); });
    const Box& u = places.undo;
    if (tile(ui.widgets, "undo", ImVec2(u.x0, u.y0), ImVec2(u.x1, u.y1), ui.textures.asset("ui/undo"), "",
             ui.fonts.body, TileStyle{.enabled = d && d->can_undo(), .repeats = true}))
        ui.then([](flow::Flow& f) { f.undo_drawing(); });
    const Box& k = places.clear;
    if (tile(ui.widgets, "clear", ImVec2(k.x0, k.y0), ImVec2(k.x1, k.y1), ui.textures.asset("ui/clear"), "",
             ui.fonts.body, TileStyle{.enabled = d && !d->empty()}))
        ui.then([](flow::Flow& f) { f.clear_drawing(); });
}

// A round button: the speaker's round hit area, with the double-tap rule of every tile.
bool round_button(Ui& ui, const std::string& id, ImVec2 c, float r) {
    return speak_hit(ui, id, c, r) && ui.widgets.accept(id, false);
}

// The child's own words, spoken: one big button to talk and to stop (the
// same widget, so a quick second tap does not stop what the first began), a
// countdown and a ring that fills as the time goes, a halo that follows
// their voice; then listen back, or try again. Next keeps it.
void voice(Ui& ui, const flow::Session& s, ImVec2 min, ImVec2 max) {
    const auto& L = ui.layout;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const auto& pack = *s.pack;
    const auto& band = *s.band;
    const float w = max.x - min.x, h = max.y - min.y;
    const float cx = std::round((min.x + max.x) * 0.5f);
    const auto* take = ui.flow.take();
    const float label_h = text_height(pen, ui.fonts.large, "Ag", w) * 2 + L.pad;

    if (take && !take->recording()) {
        // Listen back, or try again.
        const float side = std::round(std::min({h - L.pad, (w - L.pad * 3) * 0.5f, L.target * 3.2f}));
        const float gap = L.pad * 2;
        const float y0 = std::round(min.y + (h - side) * 0.5f);
        const bool mirror = rtl(s);
        const float first = std::round(cx - gap * 0.5f - side), second = std::round(cx + gap * 0.5f);
        const float listen_x = mirror ? second : first, again_x = mirror ? first : second;
        if (tile(ui.widgets, "listen", ImVec2(listen_x, y0), ImVec2(listen_x + side, y0 + side),
                 ui.textures.asset("ui/play"), pack.word(band, "listen", s.language), ui.fonts.large,
                 TileStyle{.enabled = ui.speaker && ui.speaker->available()})) {
            const auto it = s.takes.find(s.question().id);
            if (it != s.takes.end() && ui.speaker) {
                Speaker::Item item;
                item.pcm = std::shared_ptr<const std::vector<std::int16_t>>(it->second, &it->second->samples());
                item.pcm_rate = recording::kRate;
                ui.speaker->say({std::move(item)});
            }
            ui.then([](flow::Flow& f) { f.touch(); });
        }
        if (tile(ui.widgets, "try-again", ImVec2(again_x, y0), ImVec2(again_x + side, y0 + side),
                 ui.textures.asset("ui/undo"), pack.word(band, "try_again", s.language), ui.fonts.large, {})) {
            if (ui.speaker) ui.speaker->stop();
            ui.then([](flow::Flow& f) { f.record_again(); });
        }
        return;
    }

    const bool recording = take && take->recording();
    if (!recording && !ui.facts.microphone) {
        // No microphone: the question says so, and skip is below as always.
        const float pic = std::round(std::min(h * 0.35f, L.target * 2.0f));
        const float y0 = min.y + std::max(0.0f, (h - pic - label_h * 1.5f) * 0.5f);
        draw_picture(pen, ui.textures.asset("ui/microphone"), ImVec2(cx - pic * 0.5f, y0),
                     ImVec2(cx + pic * 0.5f, y0 + pic), IM_COL32(255, 255, 255, 110));
        centred_text(pen, ui.fonts.large, pack.word(band, "no_microphone", s.language), cx, y0 + pic + L.pad,
                     std::min(w, 30 * L.em), pen.colours.ink);
        return;
    }

    // The button, as large as leaves room for the countdown and the words under it.
    const float r =
        std::round(std::max(L.target * 0.6f, std::min({(h - label_h * 1.6f) * 0.5f, w * 0.22f, L.target * 2.0f})));
    const float top = min.y + std::max(0.0f, (h - 2 * r - label_h * 1.6f) * 0.5f);
    const ImVec2 c(cx, std::round(top + r * 1.1f));
    const float ring = std::max(4.0f, r * 0.1f);
    if (recording) {
        // A halo that follows the child's voice, then the time gone as a ring around the button.
        if (!s.access.less_motion)
            fill_disc(pen, c, std::round(r + ring * 1.5f + r * 0.35f * take->level()), pen.colours.accent_soft);
        pen.dl->AddCircle(c, r + ring, pen.colours.edge, 0, ring);
        const float gone = 1.0f - static_cast<float>(take->seconds_left()) / static_cast<float>(take->max_seconds());
        constexpr float kTop = -1.5707964f, kTurn = 6.2831855f;
        if (gone > 0) {
            pen.dl->PathArcTo(c, r + ring, kTop, kTop + kTurn * std::min(1.0f, gone), 48);
            pen.dl->PathStroke(pen.colours.accent, 0, ring);
        }
    }
    fill_disc(pen, ImVec2(c.x, c.y + std::round(r * 0.06f)), r, pen.colours.shadow);
    fill_disc(pen, c, r, recording ? pen.colours.problem : pen.colours.primary);
    if (recording) {
        const float k = std::round(r * 0.36f);
        fill_rounded(pen, ImVec2(c.x - k, c.y - k), ImVec2(c.x + k, c.y + k), pen.colours.white, k * 0.3f);
    } else {
        fill_disc(pen, c, std::round(r * 0.72f), pen.colours.white);
        const float k = r * 0.5f;
        draw_picture(pen, ui.textures.asset("ui/microphone"), ImVec2(c.x - k, c.y - k), ImVec2(c.x + k, c.y + k));
    }
    if (round_button(ui, "record", c, r + ring)) {
        if (recording)
            ui.then([](flow::Flow& f) { f.stop_recording(); });
        else
            ui.then([](flow::Flow& f) { f.record(); });
    }
    float y = c.y + r + ring * 2 + L.pad;
    if (recording) {
        // The seconds left, big, and what is happening in words.
        y += centred_text(pen, ui.fonts.title, std::to_string(take->seconds_left()), cx, y, w, pen.colours.ink);
        centred_text(pen, ui.fonts.body, pack.word(band, "recording", s.language), cx, y, std::min(w, 30 * L.em),
                     pen.colours.muted);
    } else {
        centred_text(pen, ui.fonts.large, pack.word(band, "record", s.language), cx, y, std::min(w, 30 * L.em),
                     pen.colours.ink);
    }
}

// The child's words, and a keyboard in their language's letters below.
void text_box(Ui& ui, const flow::Session& s, ImVec2 min, ImVec2 max) {
    const auto& L = ui.layout;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const float w = std::min(max.x - min.x, 34 * L.em);
    const float h = std::min((max.y - min.y) * 0.25f, 3.2f * L.em);
    const ImVec2 a(std::round(min.x + (max.x - min.x - w) * 0.5f), std::round(min.y)),
        b(std::round(a.x + w), std::round(a.y + h));
    fill_rounded(pen, a, b, pen.colours.card, L.em * 0.6f);
    pen.dl->AddRect(a, b, pen.colours.primary, L.em * 0.6f, 0, std::max(2.0f, L.mm * 0.6f));
    const float inset = L.em * 0.6f;
    const std::string& placeholder = s.pack->word(*s.band, "type_here", s.language);
    pen.dl->PushClipRect(a, b, true);
    if (s.draft.empty()) {
        start_text(pen, ui.fonts.body, placeholder, ImVec2(a.x + inset, a.y + inset), w - 2 * inset, pen.colours.muted);
    } else {
        // The end of what was typed stays in view; a caret marks where letters go.
        const std::string shown = s.draft + "|";
        const float wrap = w - 2 * inset;
        const float th = text_height(pen, ui.fonts.body, shown, wrap);
        start_text(pen, ui.fonts.body, shown, ImVec2(a.x + inset, std::min(a.y + inset, b.y - inset - th)), wrap,
                   pen.colours.ink);
    }
    pen.dl->PopClipRect();

    const auto press =
        keyboard(ui, s.language, ImVec2(min.x, b.y + L.pad * 0.6f), max, s.pack->word(*s.band, "done", s.language),
                 s.draft.find_first_not_of(" \t\n") != std::string::npos);
    if (!press.typed.empty()) ui.then([typed = press.typed](flow::Flow& f) { f.type(typed); });
    if (press.erase) ui.then([](flow::Flow& f) { f.erase(); });
    if (press.done) ui.then([](flow::Flow& f) { f.next(); });
}

} // namespace

void draw_question(Ui& ui) {
    const auto* s = ui.flow.session();
    if (!s) return;
    const auto& L = ui.layout;
    const auto& q = s->question();
    const auto& pack = *s->pack;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const float cx = L.width * 0.5f;
    const float text_w = std::min(L.width - 4 * L.pad, 32 * L.em);

    float y = L.pad * 1.5f;
    progress_dots(pen, L, *s, y);
    draw_stop_button(ui);
    // Below the stop button, which shares the top row with the dots.
    y += std::max(L.em + L.pad, std::max(L.target * 0.9f, L.em * 2.0f) + L.pad * 0.5f);

    // Bottom bar: back, skip ("I'd rather not say"), next.
    const float bar_h = std::max(L.target, L.em * 2.4f);
    const float bar_y = L.height - L.pad * 1.5f - bar_h;
    const float side_w = std::max(L.target * 1.6f, L.em * 5.5f);
    const float skip_w = std::min(L.width - 2 * side_w - 6 * L.pad, std::max(L.em * 11, L.target * 3.5f));

    // Question: picture and words, sized to leave the answers most of the room.
    const std::string& words = pack.text(q.text, s->language);
    const float words_h = text_height(pen, ui.fonts.large, words, text_w);
    const float room = bar_y - y - L.pad * 2;
    // A text question gives the picture's room to the keyboard.
    float pic =
        q.picture.empty() || q.kind == pack::Kind::FreeText || q.kind == pack::Kind::Draw || q.kind == pack::Kind::Voice
            ? 0
            : std::min(L.short_side() * 0.16f, room * 0.2f);
    if (pic > 0 && pic < L.em * 1.5f) pic = 0;
    if (pic > 0) {
        draw_picture(pen, ui.textures.file(q.picture), ImVec2(cx - pic * 0.5f, y), ImVec2(cx + pic * 0.5f, y + pic));
        y += pic + L.pad * 0.5f;
    }
    if (can_speak(ui, *s)) {
        // The question's speaker sits at the start of its line.
        const float r = std::max(L.target * 0.55f, L.em * 1.1f);
        const float text_room = std::min(text_w, L.width - 4 * L.pad - 4 * r - 2 * L.pad);
        const float th = text_height(pen, ui.fonts.large, words, text_room);
        const float tw = text_width(pen, ui.fonts.large, words, text_room);
        const ImVec2 c(rtl(*s) ? cx + tw * 0.5f + L.pad + r : cx - tw * 0.5f - L.pad - r,
                       y + std::max(th, 2 * r) * 0.5f);
        if (speak_hit(ui, "speak", c, r)) {
            ui.then([](flow::Flow& f) { f.touch(); });
            ui.speaker->say(question_speech(*s));
        }
        speak_draw(ui, c, r);
        y += std::max(th, 2 * r) * 0.5f - th * 0.5f;
        y += centred_text(pen, ui.fonts.large, words, cx, y, text_room, pen.colours.ink) + L.pad +
             std::max(0.0f, r - th * 0.5f);
    } else {
        y += centred_text(pen, ui.fonts.large, words, cx, y, text_w, pen.colours.ink) + L.pad;
    }
    (void)words_h;

    const ImVec2 area_min(L.pad * 2, y), area_max(L.width - L.pad * 2, bar_y - L.pad);
    if (q.kind == pack::Kind::FreeText)
        text_box(ui, *s, area_min, area_max);
    else if (q.kind == pack::Kind::Draw)
        canvas(ui, *s, area_min, area_max);
    else if (q.kind == pack::Kind::Voice)
        voice(ui, *s, area_min, area_max);
    else
        answers(ui, *s, area_min, area_max);

    const auto& band = *s->band;
    // Back sits where reading starts, next where it goes: mirrored for right-to-left.
    const bool mirror = rtl(*s);
    const float start_x = mirror ? L.width - L.pad * 2 - side_w : L.pad * 2;
    const float end_x = mirror ? L.pad * 2 : L.width - L.pad * 2 - side_w;
    if (tile(ui.widgets, "back", ImVec2(start_x, bar_y), ImVec2(start_x + side_w, bar_y + bar_h), {},
             (mirror ? "\u2192 " : "\u2190 ") + pack.word(band, "back", s->language), ui.fonts.body, {}))
        ui.then([](flow::Flow& f) { f.back(); });
    if (tile(ui.widgets, "skip", ImVec2(cx - skip_w * 0.5f, bar_y), ImVec2(cx + skip_w * 0.5f, bar_y + bar_h),
             ui.textures.asset("ui/skip"), pack.word(band, "skip", s->language), ui.fonts.body, TileStyle{.row = true}))
        ui.then([](flow::Flow& f) { f.skip(); });

    const auto* given = s->answer(q.id);
    bool can_next = false;
    if (q.kind == pack::Kind::PickMany)
        can_next = !s->picked.empty();
    else if (q.kind == pack::Kind::FreeText)
        can_next = s->draft.find_first_not_of(" \t\n") != std::string::npos;
    else if (q.kind == pack::Kind::Draw)
        can_next = ui.flow.drawing() && !ui.flow.drawing()->empty();
    else if (q.kind == pack::Kind::Voice)
        can_next = ui.flow.take() && !ui.flow.take()->recording();
    else
        can_next = given && ui.flow.confirming().empty(); // answered or skipped before: move on as it is
    const bool show_next = q.kind == pack::Kind::PickMany || q.kind == pack::Kind::FreeText ||
                           q.kind == pack::Kind::Draw || q.kind == pack::Kind::Voice || can_next;
    if (show_next && tile(ui.widgets, "next", ImVec2(end_x, bar_y), ImVec2(end_x + side_w, bar_y + bar_h), {},
                          pack.word(band, "next", s->language) + (mirror ? " \u2190" : " \u2192"), ui.fonts.large,
                          TileStyle{.enabled = can_next, .primary = true}))
        ui.then([](flow::Flow& f) { f.next(); });
}

} // namespace sayso::ui
