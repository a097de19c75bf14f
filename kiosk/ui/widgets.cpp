#include "widgets.hpp"

#include "shapes.hpp"

#include "shaped_text.hpp"

#include "formats/utf8.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sayso::ui {

std::optional<ImVec2> Widgets::point(const std::string& id, float x, float y) const {
    auto it = rects_.find(id);
    if (it == rects_.end()) return std::nullopt;
    const Rect& r = it->second;
    // Just inside the edge at 0 and 1, so the point is still on the widget.
    const float w = r.max.x - r.min.x - 2, h = r.max.y - r.min.y - 2;
    return ImVec2(r.min.x + 1 + w * x, r.min.y + 1 + h * y);
}

std::string Widgets::list() const {
    std::string s;
    for (const auto& [id, _] : rects_)
        s += (s.empty() ? "" : ", ") + id;
    return s.empty() ? "(none)" : s;
}

namespace {

std::vector<std::pair<const char*, const char*>> wrap_lines(ImFont* font, const std::string& text, float width) {
    std::vector<std::pair<const char*, const char*>> lines;
    const char* s = text.data();
    const char* end = s + text.size();
    const float scale = 1.0f; // fonts are built at their display size
    while (s < end) {
        const char* nl = std::find(s, end, '\n');
        const char* stop = font->CalcWordWrapPositionA(scale, s, nl, width);
        if (stop == s) stop = s + 1; // a single glyph wider than the box: take it anyway
        // Never split inside a UTF-8 sequence.
        stop = s + utf8::ceil_boundary(std::string_view(s, static_cast<std::size_t>(nl - s)),
                                       static_cast<std::size_t>(stop - s));
        const char* line_end = stop;
        while (line_end > s && line_end[-1] == ' ')
            --line_end;
        lines.emplace_back(s, line_end);
        s = stop;
        while (s < nl && *s == ' ')
            ++s;
        if (s == nl && nl < end) ++s;
    }
    return lines;
}

} // namespace

namespace {
// Text the atlas can't draw goes through the shaper, when there is one.
ShapedText* shaper_for(const Pen& pen, const std::string& text) {
    return pen.shaped && text::needs_shaping(text) ? pen.shaped : nullptr;
}
} // namespace

float text_height(const Pen& pen, ImFont* font, const std::string& text, float width) {
    if (text.empty()) return 0;
    if (ShapedText* st = shaper_for(pen, text)) {
        float h = 0;
        for (const auto& line : st->wrap(text, font->FontSize, width))
            h += st->measure(line, font->FontSize).y;
        return h;
    }
    return static_cast<float>(wrap_lines(font, text, width).size()) * font->FontSize * 1.15f;
}

float text_width(const Pen& pen, ImFont* font, const std::string& text, float width) {
    float w = 0;
    if (ShapedText* st = shaper_for(pen, text)) {
        for (const auto& line : st->wrap(text, font->FontSize, width))
            w = std::max(w, st->measure(line, font->FontSize).x);
        return w;
    }
    for (auto [a, b] : wrap_lines(font, text, width))
        w = std::max(w, font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, a, b).x);
    return w;
}

float centred_text(const Pen& pen, ImFont* font, const std::string& text, float centre_x, float top, float width,
                   ImU32 colour) {
    float y = top;
    if (ShapedText* st = shaper_for(pen, text)) {
        for (const auto& line : st->wrap(text, font->FontSize, width)) {
            const ImVec2 size = st->measure(line, font->FontSize);
            st->draw(pen.dl, line, font->FontSize, ImVec2(centre_x - size.x * 0.5f, y), colour);
            y += size.y;
        }
        return y - top;
    }
    for (auto [a, b] : wrap_lines(font, text, width)) {
        ImVec2 size = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, a, b);
        pen.dl->AddText(font, font->FontSize, ImVec2(std::floor(centre_x - size.x * 0.5f), std::floor(y)), colour, a,
                        b);
        y += font->FontSize * 1.15f;
    }
    return y - top;
}

float start_text(const Pen& pen, ImFont* font, const std::string& text, ImVec2 at, float width, ImU32 colour) {
    float y = at.y;
    if (ShapedText* st = shaper_for(pen, text)) {
        for (const auto& line : st->wrap(text, font->FontSize, width)) {
            const ImVec2 size = st->measure(line, font->FontSize);
            st->draw(pen.dl, line, font->FontSize, ImVec2(st->rtl() ? at.x + width - size.x : at.x, y), colour);
            y += size.y;
        }
        return y - at.y;
    }
    for (auto [a, b] : wrap_lines(font, text, width)) {
        pen.dl->AddText(font, font->FontSize, ImVec2(std::floor(at.x), std::floor(y)), colour, a, b);
        y += font->FontSize * 1.15f;
    }
    return y - at.y;
}

float heading(const Pen& pen, ImFont* font, const std::string& text, ImVec2 at, ImU32 colour) {
    if (ShapedText* st = shaper_for(pen, text)) {
        st->draw(pen.dl, text, font->FontSize, at, colour);
        return std::max(font->FontSize * 1.2f, st->measure(text, font->FontSize).y);
    }
    pen.dl->AddText(font, font->FontSize, at, colour, text.c_str());
    return font->FontSize * 1.2f;
}

void fill_rounded(const Pen& pen, ImVec2 min, ImVec2 max, ImU32 colour, float rounding) {
    if (pen.shapes)
        pen.shapes->rounded(pen.dl, min, max, colour, rounding);
    else
        pen.dl->AddRectFilled(min, max, colour, rounding);
}

void fill_disc(const Pen& pen, ImVec2 centre, float radius, ImU32 colour) {
    if (pen.shapes)
        pen.shapes->disc(pen.dl, centre, radius, colour);
    else
        pen.dl->AddCircleFilled(centre, radius, colour);
}

void draw_picture(const Pen& pen, Picture pic, ImVec2 min, ImVec2 max, ImU32 tint) {
    if (!pic) return;
    const float bw = max.x - min.x, bh = max.y - min.y;
    const float k = std::min(bw / static_cast<float>(pic.w), bh / static_cast<float>(pic.h));
    // On whole pixels, from a copy scaled to this size once: drawn without scaling.
    const float w = std::round(static_cast<float>(pic.w) * k), h = std::round(static_cast<float>(pic.h) * k);
    const ImVec2 a(std::round(min.x + (bw - w) * 0.5f), std::round(min.y + (bh - h) * 0.5f));
    if (pen.shapes) pic = pen.shapes->sized(pic, static_cast<int>(w), static_cast<int>(h));
    pen.dl->AddImage(reinterpret_cast<ImTextureID>(pic.texture), a, ImVec2(a.x + w, a.y + h), ImVec2(0, 0),
                     ImVec2(1, 1), tint);
}

bool tile(Widgets& w, const std::string& id, ImVec2 min, ImVec2 max, Picture pic, const std::string& label,
          ImFont* font, const TileStyle& st) {
    const Pen pen = w.pen(ImGui::GetWindowDrawList());
    const float width = max.x - min.x, height = max.y - min.y;
    const float rounding = std::min(width, height) * 0.18f;
    const float lift = std::min(width, height) * 0.03f;

    ImGui::SetCursorScreenPos(min);
    ImGui::PushID(id.c_str());
    bool clicked = ImGui::InvisibleButton("##tile", ImVec2(width, height));
    const bool held = ImGui::IsItemActive();
    ImGui::PopID();
    if (st.enabled) w.add(id, min, max);
    clicked = clicked && st.enabled && w.accept(id, st.repeats);

    ImU32 fill = st.primary ? pen.colours.primary : pen.colours.tile;
    ImU32 text = st.primary ? pen.colours.white : pen.colours.ink;
    ImU32 border = pen.colours.edge;
    float border_w = std::max(2.0f, lift);
    if (!st.enabled) {
        fill = pen.colours.disabled;
        text = pen.colours.muted;
    }
    if (st.selected) {
        fill = st.primary ? pen.colours.primary : pen.colours.accent_soft;
        border = pen.colours.accent;
        border_w = std::max(4.0f, lift * 2.5f);
    }
    const float press = held && st.enabled ? lift : 0;
    fill_rounded(pen, ImVec2(min.x, min.y + lift * 2), ImVec2(max.x, max.y + lift * 2), pen.colours.shadow, rounding);
    ImVec2 a(min.x, min.y + press), b(max.x, max.y + press);
    if (st.pulse > 0) {
        const float grow = lift * 3 * std::sin(st.pulse * 3.14159f);
        a = ImVec2(a.x - grow, a.y - grow);
        b = ImVec2(b.x + grow, b.y + grow);
    }
    // On whole pixels, so the border lies where the fill ends.
    a = ImVec2(std::round(a.x), std::round(a.y));
    b = ImVec2(std::round(b.x), std::round(b.y));
    fill_rounded(pen, a, b, fill, rounding);
    pen.dl->AddRect(a, b, border, rounding, 0, border_w);

    const float inset = std::min(width, height) * 0.08f;
    const float label_h = label.empty() ? 0 : text_height(pen, font, label, width - 2 * inset);
    if (pic && st.row) {
        const float side = height - 2 * inset;
        draw_picture(pen, pic, ImVec2(a.x + inset, a.y + inset), ImVec2(a.x + inset + side, b.y - inset));
        const float text_left = a.x + inset * 1.5f + side;
        const float text_w = b.x - inset - text_left;
        const float th = text_height(pen, font, label, text_w);
        centred_text(pen, font, label, (text_left + b.x - inset) * 0.5f, (a.y + b.y - th) * 0.5f, text_w, text);
    } else if (pic) {
        const float pic_bottom = b.y - inset - (label_h > 0 ? label_h + inset * 0.5f : 0);
        draw_picture(pen, pic, ImVec2(a.x + inset, a.y + inset), ImVec2(b.x - inset, pic_bottom),
                     st.enabled ? 0xFFFFFFFF : 0x80FFFFFF);
        if (label_h > 0)
            centred_text(pen, font, label, (a.x + b.x) * 0.5f, b.y - inset - label_h, width - 2 * inset, text);
    } else if (label_h > 0) {
        centred_text(pen, font, label, (a.x + b.x) * 0.5f, (a.y + b.y - label_h) * 0.5f, width - 2 * inset, text);
    }
    if (st.check && st.selected) {
        const float r = std::min(width, height) * 0.13f;
        const ImVec2 c(b.x - r * 0.8f, a.y + r * 0.8f);
        fill_disc(pen, c, r, pen.colours.primary);
        pen.dl->AddPolyline(std::vector<ImVec2>{ImVec2(c.x - r * 0.45f, c.y), ImVec2(c.x - r * 0.1f, c.y + r * 0.38f),
                                                ImVec2(c.x + r * 0.5f, c.y - r * 0.35f)}
                                .data(),
                            3, pen.colours.white, 0, r * 0.22f);
    }
    return clicked;
}

} // namespace sayso::ui
