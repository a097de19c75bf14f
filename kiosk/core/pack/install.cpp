#include "pack/install.hpp"
#include "random/random.hpp"
#include "tasks/frame_guard.hpp"

#include <algorithm>

namespace sayso::pack {

namespace fs = std::filesystem;

InstallResult install_pack(const fs::path& from, const fs::path& packs_dir, const Trust& trust) {
    tasks::blocking("installing a pack");
    InstallResult r;
    auto checked = load_pack(from);
    r.problems = checked.problems;
    std::size_t errors = checked.errors();
    if (checked.ok()) {
        for (auto& p : check_signature(from, trust)) {
            r.problems.push_back(std::move(p));
            ++errors;
        }
    }
    if (errors > 0) {
        r.message = std::to_string(errors) + " problem" + (errors == 1 ? "" : "s") + " in " + from.string() +
                    "; nothing was installed and the packs in use stay as they are.";
        return r;
    }
    const std::string id = checked.pack->id;
    std::error_code ec;
    fs::create_directories(packs_dir, ec);
    const std::string tag = random::random_hex(8);
    const fs::path incoming = packs_dir / (".incoming-" + id + "-" + tag);
    const fs::path old = packs_dir / (".old-" + id + "-" + tag);
    const fs::path target = packs_dir / id;
    auto fail = [&](const std::string& what) {
        fs::remove_all(incoming, ec);
        r.message = what + "; nothing was installed and the packs in use stay as they are.";
        return r;
    };
    // Copy only regular files and folders: links are not followed out of the pack.
    fs::copy(from, incoming, fs::copy_options::recursive | fs::copy_options::skip_symlinks, ec);
    if (ec) return fail("Could not copy " + from.string() + " (" + ec.message() + ")");
    // Check the copy too: the stick may have changed or failed while copying.
    auto copy = load_pack(incoming);
    if (!copy.ok() || copy.pack->id != id || !check_signature(incoming, trust).empty()) {
        r.problems = copy.problems;
        return fail("The copy of " + from.string() + " does not check out");
    }
    if (fs::exists(target, ec)) {
        fs::rename(target, old, ec);
        if (ec) return fail("Could not move the installed " + id + " aside (" + ec.message() + ")");
    }
    fs::rename(incoming, target, ec);
    if (ec) {
        std::error_code back;
        if (fs::exists(old, back)) fs::rename(old, target, back);
        return fail("Could not put " + id + " in place (" + ec.message() + ")");
    }
    fs::remove_all(old, ec);
    r.ok = true;
    r.id = id;
    r.version = copy.pack->version;
    r.message = "Installed \"" + copy.pack->text(copy.pack->title, copy.pack->first_language()) + "\" (" + id +
                " version " + r.version + ").";
    return r;
}

std::vector<fs::path> find_pack_folders(const std::vector<fs::path>& roots) {
    tasks::blocking("looking for pack folders");
    std::vector<fs::path> found;
    for (const auto& root : roots) {
        std::error_code ec;
        fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
        for (; !ec && it != end; it.increment(ec)) {
            if (it.depth() >= 3) it.disable_recursion_pending();
            std::error_code e2;
            if (it->is_directory(e2) && fs::is_regular_file(it->path() / "pack.json", e2)) {
                found.push_back(it->path());
                it.disable_recursion_pending();
            }
            if (found.size() >= 50) return found;
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

} // namespace sayso::pack
