#include "theme.hpp"

#include "text/shaper.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
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
    // Each face is read once for its four sizes, and only until the atlas is
    // built (the atlas keeps no copy; ClearInputData below).
    cfg.FontDataOwnedByAtlas = false;
    std::map<std::string, std::vector<char>> files;
    auto add_file = [&](const char* file, float size, const ImFontConfig& c, const ImWchar* r) -> ImFont* {
        auto [it, fresh] = files.try_emplace(file);
        if (fresh) {
            std::ifstream in(file, std::ios::binary | std::ios::ate);
            const auto size = in ? static_cast<std::streamoff>(in.tellg()) : std::streamoff(0);
            it->second.resize(static_cast<std::size_t>(std::max<std::streamoff>(size, 0)));
            if (!in.seekg(0) || !in.read(it->second.data(), size)) it->second.clear();
        }
        if (it->second.empty()) return nullptr;
        return io.Fonts->AddFontFromMemoryTTF(it->second.data(), static_cast<int>(it->second.size()), size, &c, r);
    };
    if (regular && bold) {
        const float em = l.em * scale;
        // OpenDyslexic has no arrows or bullets: those come from Andika, merged in.
        const char* andika = first_existing(kRegular, std::size(kRegular));
        const bool merge = andika && std::string(regular) != andika;
        static const ImWchar missing[] = {0x2022, 0x2022, 0x2190, 0x2192, 0};
        auto add = [&](const char* file, float size) {
            ImFont* font = add_file(file, size, cfg, ranges.data());
            if (font && merge) {
                ImFontConfig m = cfg;
                m.MergeMode = true;
                add_file(andika, size, m, missing);
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
    // The faces' bytes go with `files`; the fonts keep their glyphs.
    io.Fonts->ClearInputData();
    return f;
}

void apply_style(const Layout& l, const Palette& colours) {
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
    c[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(colours.ink);
    c[ImGuiCol_TextDisabled] = ImGui::ColorConvertU32ToFloat4(colours.muted);
    c[ImGuiCol_Border] = ImGui::ColorConvertU32ToFloat4(colours.edge);
}

} // namespace sayso::ui
