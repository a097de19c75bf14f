// Installing a pack from a folder (a USB stick, a download): checked first,
// copied whole, and swapped in by renames, so the packs in use never see a
// half-copied folder and a bad pack changes nothing.
#pragma once

#include "pack/pack.hpp"
#include "pack/signature.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace sayso::pack {

struct InstallResult {
    bool ok = false;
    std::string id, version;       // of the pack installed
    std::vector<Problem> problems; // every problem found (warnings too)
    std::string message;           // in words, for the admin
};

// Validates the pack in `from`, and its signature against `trust`, and
// installs it as `packs_dir/<pack id>`, replacing an older version of it.
InstallResult install_pack(const std::filesystem::path& from, const std::filesystem::path& packs_dir,
                           const Trust& trust);

// Folders holding a pack.json under each of `roots`, up to three levels down
// (e.g. /media/<user>/<stick>/<pack>), for the admin to pick from.
std::vector<std::filesystem::path> find_pack_folders(const std::vector<std::filesystem::path>& roots);

} // namespace sayso::pack
