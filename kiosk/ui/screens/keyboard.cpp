#include "screens.hpp"

#include "text/keyboards.hpp"
#include "text/languages.hpp"

#include <algorithm>

namespace sayso::ui {

KeyPress keyboard(Ui& ui, const std::string& lang, ImVec2 min, ImVec2 max, const std::string& done_label,
                  bool done_enabled) {
    const auto& L = ui.layout;
    const auto& rows = text::keyboard_rows(lang);
    const auto* info = text::find_language(lang);
    const bool rtl = info && info->rtl;
    KeyPress press;
    const float gap = std::max(3.0f, L.pad * 0.35f);
    std::size_t widest = 0;
    for (const auto& r : rows)
        widest = std::max(widest, r.size());
    const int nrows = static_cast<int>(rows.size()) + 1; // and space / erase / done
    const float w = max.x - min.x, h = max.y - min.y;
    const float key_w =
        std::min(L.target * 1.3f, (w - static_cast<float>(widest - 1) * gap) / static_cast<float>(widest));
    const float key_h =
        std::min(L.target * 0.95f, (h - static_cast<float>(nrows - 1) * gap) / static_cast<float>(nrows));
    const float total_h = static_cast<float>(nrows) * key_h + static_cast<float>(nrows - 1) * gap;
    float y = min.y + std::max(0.0f, h - total_h) * 0.5f;
    const float cx = (min.x + max.x) * 0.5f;
    for (const auto& row : rows) {
        const float row_w = static_cast<float>(row.size()) * key_w + static_cast<float>(row.size() - 1) * gap;
        for (std::size_t i = 0; i < row.size(); ++i) {
            const std::size_t slot = rtl ? row.size() - 1 - i : i;
            const ImVec2 a(cx - row_w * 0.5f + static_cast<float>(slot) * (key_w + gap), y);
            if (tile(ui.widgets, "key:" + row[i], a, ImVec2(a.x + key_w, a.y + key_h), {}, row[i], ui.fonts.large,
                     TileStyle{.repeats = true}))
                press.typed = row[i];
        }
        y += key_h + gap;
    }
    // The last row: erase, a wide space, and an obvious done.
    const float side = std::min(key_w * 2.5f, w * 0.22f);
    const float space_w = std::min(key_w * 5.0f, w - 2 * side - 2 * gap);
    const float row_w = 2 * side + space_w + 2 * gap;
    float x = cx - row_w * 0.5f;
    const float erase_x = rtl ? x + side + space_w + 2 * gap : x;
    const float done_x = rtl ? x : x + side + space_w + 2 * gap;
    if (tile(ui.widgets, "key:backspace", ImVec2(erase_x, y), ImVec2(erase_x + side, y + key_h),
             ui.textures.asset("ui/backspace"), "", ui.fonts.body, TileStyle{.repeats = true}))
        press.erase = true;
    if (tile(ui.widgets, "key:space", ImVec2(x + side + gap, y), ImVec2(x + side + gap + space_w, y + key_h), {}, "",
             ui.fonts.body, TileStyle{.repeats = true}))
        press.typed = " ";
    if (tile(ui.widgets, "key:done", ImVec2(done_x, y), ImVec2(done_x + side, y + key_h), ui.textures.asset("ui/done"),
             done_label, ui.fonts.body, TileStyle{.enabled = done_enabled, .primary = true, .row = true}))
        press.done = true;
    return press;
}

} // namespace sayso::ui
