#include "preview.hpp"

#include "app.hpp"
#include "pack/pack.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

namespace sayso::admin {

namespace fs = std::filesystem;

const std::vector<PreviewSize>& preview_sizes() {
    static const std::vector<PreviewSize> all = {{"phone", 720, 1280}, {"tablet", 1280, 800}, {"large", 1920, 1080}};
    return all;
}

namespace {

std::string html(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '&')
            out += "&amp;";
        else if (c == '"')
            out += "&quot;";
        else
            out += c;
    }
    return out;
}

struct Shot {
    std::string file;  // relative to the output folder
    std::string label; // what it shows
};

// A replay that walks one band in one language, a screenshot of each screen.
std::string script(const pack::Pack& p, const pack::Band& b, const std::string& lang, std::vector<Shot>& shots,
                   const std::string& prefix) {
    std::ostringstream s;
    auto shot = [&](const std::string& name, const std::string& label) {
        const std::string file = prefix + "-" + name;
        s << "shot " << file << "\n";
        shots.push_back({file + ".png", label});
    };
    s << "tap band:" << b.id << "\ntap visit:" << p.visit_types.front().id << "\n";
    if (lang == p.first_language()) shot("0-practitioner", "practitioner");
    s << "tap handover\n";
    if (lang != p.first_language()) s << "tap lang:" << lang << "\n";
    shot("1-welcome", "welcome");
    s << "tap start\n";
    int n = 2;
    if (!p.intro_for(b).by_lang.empty()) {
        // Who will see (the preview gives no case reference, so there is no choice of name on it).
        s << "expect intro\n";
        shot(std::to_string(n++) + "-who-will-see", "who will see");
        s << "tap next\n";
    }
    for (const auto& q : b.questions) {
        const std::string name = std::to_string(n++) + "-" + q.id;
        s << "expect question:" << q.id << "\n";
        if (q.kind == pack::Kind::FreeText || q.kind == pack::Kind::Draw || q.kind == pack::Kind::Voice) {
            shot(name, q.id);
            s << "tap skip\n";
        } else if (q.kind == pack::Kind::PickMany) {
            s << "tap answer:" << q.id << ":" << q.options.front().id << "\n";
            shot(name, q.id);
            s << "tap next\n";
        } else {
            shot(name, q.id);
            s << "tap answer:" << q.id << ":" << q.options.front().id << "\nwait 800\n";
        }
    }
    s << "expect thanks\nwait 2000\n";
    shot(std::to_string(n++) + "-thanks", "thank you");
    // The next child of the visit picks their band: in the pack's first language, before they choose theirs.
    if (lang == p.first_language()) {
        s << "tap next-child\nexpect next_child\n";
        shot(std::to_string(n) + "-next-child", "the next child's turn");
    }
    return s.str();
}

} // namespace

int preview(const fs::path& pack_dir, const fs::path& out, const fs::path& assets,
            const std::vector<std::string>& sizes) {
    auto loaded = pack::load_pack(pack_dir);
    for (const auto& p : loaded.problems)
        std::cerr << p.str() << "\n";
    if (!loaded.ok()) {
        std::cerr << "sayso-admin: " << pack_dir.string() << " has problems; no preview was made\n";
        return 1;
    }
    const auto& p = *loaded.pack;
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) {
        std::cerr << "sayso-admin: can't create " << out.string() << ": " << ec.message() << "\n";
        return 1;
    }
    // The kiosk reads packs from a folder of packs: give it one holding just this pack.
    const fs::path work = out / ".work";
    fs::remove_all(work, ec);
    fs::create_directories(work / "packs", ec);
    fs::create_directory_symlink(fs::absolute(pack_dir), work / "packs" / p.id, ec);
    if (ec) {
        std::cerr << "sayso-admin: can't prepare " << work.string() << ": " << ec.message() << "\n";
        return 1;
    }

    struct Row {
        std::string band, lang, size;
        std::vector<Shot> shots;
        ui::Options walk; // the kiosk walking it
    };
    std::vector<Row> rows;
    for (const auto& size : preview_sizes()) {
        if (!sizes.empty() && std::find(sizes.begin(), sizes.end(), size.name) == sizes.end()) continue;
        for (const auto& band : p.bands)
            for (const auto& lang : p.languages) {
                Row row{band.id, lang, size.name, {}, {}};
                const std::string prefix = band.id + "-" + lang;
                const std::string n = std::to_string(rows.size());
                const fs::path script_file = work / ("script-" + n + ".txt");
                std::ofstream(script_file) << script(p, band, lang, row.shots, prefix);
                ui::Options& o = row.walk;
                o.headless = true;
                o.width = size.width;
                o.height = size.height;
                o.packs = work / "packs";
                o.db = work / ("answers-" + n + ".db");
                o.assets = assets;
                o.shots = out / size.name;
                o.replay = script_file;
                o.settings.allow_draft_languages = true; // drafts are what an admin previews before approving
                o.trust.allow_unsigned = true;           // checked already above; signing comes after previewing
                rows.push_back(std::move(row));
            }
    }
    // Each walk is a kiosk of its own (SDL and Dear ImGui are one per
    // process): a child process each, as many at once as there are cores.
    const std::size_t at_once = std::max(1u, std::thread::hardware_concurrency());
    std::map<pid_t, std::size_t> running;
    int failed = 0;
    auto reap = [&] {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, 0);
        const auto it = running.find(pid);
        if (pid <= 0 || it == running.end()) return false;
        const Row& r = rows[it->second];
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        if (code != 0) {
            std::cerr << "sayso-admin: the " << r.size << " preview of band " << r.band << " in " << r.lang
                      << " stopped (exit " << code << ")\n";
            ++failed;
        }
        running.erase(it);
        return true;
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
        while (running.size() >= at_once && reap()) {
        }
        std::cout.flush();
        std::cerr.flush();
        const pid_t pid = fork();
        if (pid == 0) _exit(ui::run(rows[i].walk));
        if (pid < 0) { // no more processes: walked here instead
            if (const int code = ui::run(rows[i].walk); code != 0) {
                std::cerr << "sayso-admin: the " << rows[i].size << " preview of band " << rows[i].band << " in "
                          << rows[i].lang << " stopped (exit " << code << ")\n";
                ++failed;
            }
            continue;
        }
        running[pid] = i;
    }
    while (!running.empty() && reap()) {
    }
    for (auto& row : rows)
        for (auto& s : row.shots)
            s.file = row.size + "/" + s.file;
    fs::remove_all(work, ec);

    // The contact sheet: a section per band, a row per language and size.
    std::ofstream index(out / "index.html");
    index << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Preview: "
          << html(p.text(p.title, p.first_language())) << " " << html(p.version) << "</title>\n"
          << "<style>body{font-family:sans-serif;margin:1.5em;background:#fff8ef;color:#3a2e28}"
             "h2{margin-top:2em}figure{display:inline-block;margin:.3em;vertical-align:top}"
             "img{height:180px;border:1px solid #d9c6b0;border-radius:6px}figcaption{font-size:.8em}"
             ".draft{background:#fde3c6;padding:.1em .4em;border-radius:4px}</style></head><body>\n"
          << "<h1>" << html(p.text(p.title, p.first_language())) << " <small>(" << html(p.id) << " version "
          << html(p.version) << ")</small></h1>\n<p>Every screen of every band in every language, at "
          << "phone (720x1280), tablet (1280x800) and large (1920x1080) sizes, drawn by the kiosk itself.</p>\n";
    for (const auto& band : p.bands) {
        index << "<h2>" << html(p.text(band.label, p.first_language())) << " (" << html(band.id) << ")</h2>\n";
        for (const auto& r : rows) {
            if (r.band != band.id) continue;
            index << "<h3>" << html(r.lang)
                  << (p.drafts.count(r.lang) ? " <span class=\"draft\">draft translation: to be checked</span>" : "")
                  << " &middot; " << html(r.size) << "</h3>\n<div>";
            for (const auto& s : r.shots)
                index << "<figure><a href=\"" << html(s.file) << "\"><img src=\"" << html(s.file) << "\" alt=\""
                      << html(s.label) << "\"></a><figcaption>" << html(s.label) << "</figcaption></figure>";
            index << "</div>\n";
        }
    }
    index << "</body></html>\n";
    if (!index) {
        std::cerr << "sayso-admin: can't write " << (out / "index.html").string() << "\n";
        return 1;
    }
    std::cerr << "sayso-admin: preview written to " << (out / "index.html").string() << "\n";
    return failed ? 1 : 0;
}

} // namespace sayso::admin
