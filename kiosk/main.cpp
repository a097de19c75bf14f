// sayso: the kiosk. Parses the command line and hands over to the UI library.
#include "app.hpp"

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <regex>

int main(int argc, char** argv) {
    sayso::ui::Options o; // records the start time, for the first-frame benchmark
    // A write past a file-size limit then fails like a full disk, which the
    // kiosk reports and survives, instead of ending the child's session.
    std::signal(SIGXFSZ, SIG_IGN);
    o.assets = SAYSO_ASSETS_DIR;
    o.db = "sayso.db";
    o.packs = "surveys";
    CLI::App app{"Sayso: children say, in pictures and words, how the help they get feels.", "sayso"};
    app.set_version_flag("--version", SAYSO_VERSION);
    std::string size;
    long idle_s = o.settings.idle_timeout.count() / 1000;
    long still_s = o.settings.still_there_timeout.count() / 1000;
    long thanks_s = o.settings.thanks_duration.count() / 1000;
    app.add_option("--packs", o.packs, "folder holding one folder per survey pack")->capture_default_str();
    app.add_option("--db", o.db, "answers database (SQLite), created if missing")->capture_default_str();
    app.add_option("--assets", o.assets, "kiosk pictures")->capture_default_str();
    app.add_flag("--headless", o.headless, "no display: SDL's dummy video driver and the software renderer");
    app.add_flag("--fullscreen", o.fullscreen, "fill the screen");
    app.add_option("--size", size, "window size WxH, e.g. 1920x1200");
    app.add_option("--dpi", o.dpi, "display DPI, when the display reports it wrongly");
    app.add_option("--replay", o.replay, "run a replay script (see kiosk/README.md)");
    app.add_option("--shots", o.shots, "folder for the replay's screenshots")->capture_default_str();
    app.add_option("--timings", o.timings, "write frame timings as JSON to this file on exit");
    app.add_option("--sync-config", o.sync_config, "delivery settings file (JSON, see sync/README.md)");
    std::vector<std::filesystem::path> imports;
    app.add_option("--import", imports,
                   "folder the admin screen looks in for packs to install (default /media and /run/media)");
    std::filesystem::path trusted_keys = "/etc/sayso/trusted-keys";
    app.add_option("--trusted-keys", trusted_keys, "public keys allowed to sign packs, one a line (sayso-admin keygen)")
        ->capture_default_str();
    app.add_flag("--allow-unsigned-packs", o.trust.allow_unsigned,
                 "development: take unsigned packs too (the practitioner screen says so)");
    app.add_flag("--allow-draft-languages", o.settings.allow_draft_languages,
                 "offer children the languages a pack marks as draft translations (not yet checked by a person)");
    app.add_option("--idle", idle_s, "seconds without a touch before \"are you still there?\"")
        ->check(CLI::Range(5, 3600))
        ->capture_default_str();
    app.add_option("--still-there", still_s, "seconds the \"are you still there?\" prompt waits")
        ->check(CLI::Range(5, 3600))
        ->capture_default_str();
    app.add_option("--thanks", thanks_s, "seconds the thank-you screen shows")
        ->check(CLI::Range(1, 600))
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : sayso::ui::kExitUsage;
    }
    if (!imports.empty()) o.import_roots = imports;
    {
        std::error_code ec;
        if (std::filesystem::exists(trusted_keys, ec)) {
            auto keys = sayso::pack::read_trusted_keys(trusted_keys);
            if (!keys) {
                std::fprintf(stderr, "sayso: %s\n", keys.words().c_str());
                return sayso::ui::kExitUsage;
            }
            o.trust.keys = std::move(*keys);
        } else if (!o.trust.allow_unsigned) {
            std::fprintf(stderr,
                         "sayso: no trusted keys in %s, so no pack can be installed; "
                         "see sayso-admin keygen and sign\n",
                         trusted_keys.c_str());
        }
    }
    if (!size.empty()) {
        std::smatch m;
        static const std::regex re("([0-9]{3,4})x([0-9]{3,4})");
        if (!std::regex_match(size, m, re)) {
            std::fprintf(stderr, "sayso: --size must look like 1920x1200, not \"%s\"\n", size.c_str());
            return sayso::ui::kExitUsage;
        }
        o.width = std::atoi(m[1].str().c_str());
        o.height = std::atoi(m[2].str().c_str());
        if (o.width < 320 || o.height < 320 || o.width > 7680 || o.height > 4320) {
            std::fprintf(stderr, "sayso: --size must be between 320x320 and 7680x4320\n");
            return sayso::ui::kExitUsage;
        }
    }
    o.settings.idle_timeout = std::chrono::seconds(idle_s);
    o.settings.still_there_timeout = std::chrono::seconds(still_s);
    o.settings.thanks_duration = std::chrono::seconds(thanks_s);
    return sayso::ui::run(o);
}
