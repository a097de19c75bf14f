#include "theme.hpp"

#include "text/shaper.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace sayso::ui {

namespace {

const char* const kRegular[] = {
    "/usr/share/fonts/truetype/andika/Andika-Regular.ttf",
};
const char* const kBold[] = {
    "/usr/share/fonts/truetype/andika/Andika-Bold.ttf",
};
const char* const kEasyRegular[] = {
    "/usr/share/fonts/opentype/opendyslexic/OpenDyslexic-Regular.otf",
};
const char* const kEasyBold[] = {
    "/usr/share/fonts/opentype/opendyslexic/OpenDyslexic-Bold.otf",
};

const char* first_existing(const char* const* paths, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (std::filesystem::exists(paths[i])) return paths[i];
    return nullptr;
}

} // namespace

std::string latin_font_path(bool easy) {
    const char* p = easy ? first_existing(kEasyRegular, std::size(kEasyRegular)) : nullptr;
    if (!p) p = first_existing(kRegular, std::size(kRegular));
    return p ? p : "";
}

void set_palette(bool high_contrast) {
    using namespace colour;
    if (high_contrast) {
        background = rgb(0xFF, 0xFF, 0xFF);
        card = rgb(0xFF, 0xFF, 0xFF);
        tile = rgb(0xFF, 0xFF, 0xFF);
        ink = rgb(0x00, 0x00, 0x00);
        muted = rgb(0x1A, 0x1A, 0x1A);
        primary = rgb(0x00, 0x3D, 0x8F); // white on it 10:1
        primary_soft = rgb(0xFF, 0xFF, 0xFF);
        accent = rgb(0x00, 0x00, 0x00); // selection: a thick black ring
        accent_soft = rgb(0xFF, 0xE0, 0x3A);
        edge = rgb(0x00, 0x00, 0x00);
        shadow = rgb(0, 0, 0, 0);
        disabled = rgb(0xE6, 0xE6, 0xE6);
        problem = rgb(0x8B, 0x00, 0x00);
        problem_soft = rgb(0xFF, 0xFF, 0xFF);
    } else {
        background = rgb(0xFF, 0xF4, 0xE6);
        card = rgb(0xFF, 0xFF, 0xFF);
        tile = rgb(0xFF, 0xFB, 0xF5);
        ink = rgb(0x3A, 0x2E, 0x28);
        muted = rgb(0x6B, 0x5A, 0x50);
        primary = rgb(0x1F, 0x6F, 0x78);
        primary_soft = rgb(0xDC, 0xF0, 0xEE);
        accent = rgb(0xF2, 0x8C, 0x28);
        accent_soft = rgb(0xFD, 0xE3, 0xC6);
        edge = rgb(0xEA, 0xD9, 0xC6);
        shadow = rgb(0x8A, 0x6A, 0x4A, 40);
        disabled = rgb(0xD9, 0xCF, 0xC4);
        problem = rgb(0xA3, 0x23, 0x1B);
        problem_soft = rgb(0xFC, 0xE8, 0xE6);
    }
}

Fonts build_fonts(const Layout& l, float scale, bool easy) {
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
    const char* regular = easy ? first_existing(kEasyRegular, std::size(kEasyRegular)) : nullptr;
    const char* bold = easy ? first_existing(kEasyBold, std::size(kEasyBold)) : nullptr;
    if (!regular || !bold) {
        regular = first_existing(kRegular, std::size(kRegular));
        bold = first_existing(kBold, std::size(kBold));
    }
    ImFontConfig cfg;
    cfg.OversampleH = 1; // large sizes need no horizontal oversampling; keeps the atlas small
    cfg.OversampleV = 1;
    if (regular && bold) {
        const float em = l.em * scale;
        // OpenDyslexic has no arrows or bullets: those come from Andika, merged in.
        const char* andika = first_existing(kRegular, std::size(kRegular));
        const bool merge = andika && std::string(regular) != andika;
        static const ImWchar missing[] = {0x2022, 0x2022, 0x2190, 0x2192, 0};
        auto add = [&](const char* file, float size) {
            ImFont* font = io.Fonts->AddFontFromFileTTF(file, size, &cfg, ranges.data());
            if (font && merge) {
                ImFontConfig m = cfg;
                m.MergeMode = true;
                io.Fonts->AddFontFromFileTTF(andika, size, &m, missing);
            }
            return font;
        };
        f.small = add(regular, em * 0.75f);
        f.body = add(regular, em);
        f.large = add(bold, em * 1.4f);
        f.title = add(bold, em * 1.9f);
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
