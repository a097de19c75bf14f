#include "theme.hpp"

#include "text/shaper.hpp"

#include <filesystem>
#include <vector>

namespace sayso::ui {

namespace {

const char* const kRegular[] = {
    "/usr/share/fonts/truetype/andika/Andika-Regular.ttf",
};
const char* const kBold[] = {
    "/usr/share/fonts/truetype/andika/Andika-Bold.ttf",
};

const char* first_existing(const char* const* paths, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (std::filesystem::exists(paths[i])) return paths[i];
    return nullptr;
}

} // namespace

std::string regular_font_path() {
    const char* p = first_existing(kRegular, std::size(kRegular));
    return p ? p : "";
}

Fonts build_fonts(const Layout& l) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    // Latin with the diacritics of Polish, Romanian and Welsh, and typographic
    // punctuation; other scripts are shaped (shaped_text.hpp).
    static const std::vector<ImWchar> ranges = [] {
        std::vector<ImWchar> r;
        for (auto [a, b] : text::plain_ranges()) {
            r.push_back(static_cast<ImWchar>(a));
            r.push_back(static_cast<ImWchar>(b));
        }
        r.push_back(0);
        return r;
    }();
    Fonts f;
    const char* regular = first_existing(kRegular, std::size(kRegular));
    const char* bold = first_existing(kBold, std::size(kBold));
    ImFontConfig cfg;
    cfg.OversampleH = 1; // large sizes need no horizontal oversampling; keeps the atlas small
    cfg.OversampleV = 1;
    if (regular && bold) {
        f.small = io.Fonts->AddFontFromFileTTF(regular, l.em * 0.75f, &cfg, ranges.data());
        f.body = io.Fonts->AddFontFromFileTTF(regular, l.em, &cfg, ranges.data());
        f.large = io.Fonts->AddFontFromFileTTF(bold, l.em * 1.4f, &cfg, ranges.data());
        f.title = io.Fonts->AddFontFromFileTTF(bold, l.em * 1.9f, &cfg, ranges.data());
    }
    if (!f.small || !f.body || !f.large || !f.title) {
        f.problem = "The Andika font is missing (apt-get install fonts-sil-andika); using a plain font.";
        io.Fonts->Clear();
        ImFontConfig c;
        c.SizePixels = l.em;
        f.small = f.body = f.large = f.title = io.Fonts->AddFontDefault(&c);
    }
    io.Fonts->Build();
    return f;
}

void apply_style(const Layout& l) {
    ImGuiStyle& s = ImGui::GetStyle();
    s = ImGuiStyle();
    s.WindowPadding = ImVec2(0, 0);
    s.WindowBorderSize = 0;
    s.WindowRounding = 0;
    s.FrameRounding = l.em * 0.6f;
    s.ItemSpacing = ImVec2(l.pad, l.pad);
    s.TouchExtraPadding = ImVec2(0, 0);
    s.AntiAliasedFill = true;
    s.AntiAliasedLines = true;
    ImVec4* c = s.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 0); // the renderer clears to the background; no second full-screen fill
    c[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(colour::ink);
    c[ImGuiCol_TextDisabled] = ImGui::ColorConvertU32ToFloat4(colour::muted);
    c[ImGuiCol_Border] = ImGui::ColorConvertU32ToFloat4(colour::edge);
}

} // namespace sayso::ui
