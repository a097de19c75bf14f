// sayso-admin preview: every screen of every band in every language, at
// phone, tablet and large sizes, as PNGs and one contact sheet (index.html),
// drawn by the kiosk itself headless, so an admin sees what children will see.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sayso::admin {

struct PreviewSize {
    std::string name; // phone, tablet, large
    int width, height;
};
const std::vector<PreviewSize>& preview_sizes();

// Returns the exit code: 0 when every screen was drawn, 1 for a bad pack or
// a screen that could not be drawn (each said on standard error).
int preview(const std::filesystem::path& pack_dir, const std::filesystem::path& out,
            const std::filesystem::path& assets, const std::vector<std::string>& sizes);

} // namespace sayso::admin
