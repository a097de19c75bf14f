// sayso-admin: looks after a kiosk's packs and answers from the command line.
//   sayso-admin validate DIR...                    check survey packs
//   sayso-admin responses --db PATH --format jsonl|csv   print stored responses
#include "access/gate.hpp"
#include "batch.hpp"
#include "formats/formats.hpp"
#include "import.hpp"
#include "pack/pack.hpp"
#include "pack/signature.hpp"
#include "storage/store.hpp"
#ifdef SAYSO_PREVIEW
#include "preview.hpp"
#endif

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

using namespace sayso;

// A storage failure in words, with its detail for whoever reads the log; exit 1.
int storage_failed(const flow::StorageProblem& problem) {
    std::cerr << "sayso-admin: " << flow::describe(problem) << " (" << problem.detail << ")\n";
    return 1;
}

int validate(const std::vector<std::string>& dirs, const std::string& trusted) {
    pack::Trust trust{{}, true};
    if (!trusted.empty()) {
        trust.allow_unsigned = false;
        auto keys = pack::read_trusted_keys(trusted);
        if (!keys) {
            std::cerr << "sayso-admin: " << keys.words() << "\n";
            return 2;
        }
        trust.keys = std::move(*keys);
    }
    int bad = 0;
    for (const auto& dir : dirs) {
        auto r = pack::load_pack(dir);
        if (r.ok() && !trusted.empty()) {
            // With trusted keys given, the signature is checked as a kiosk would.
            auto sig = pack::check_signature(dir, trust);
            if (!sig.empty()) r.pack = nullptr;
            r.problems.insert(r.problems.end(), sig.begin(), sig.end());
        }
        for (const auto& p : r.problems)
            std::cout << p.str() << "\n";
        if (r.ok()) {
            std::size_t questions = 0;
            for (const auto& b : r.pack->bands)
                questions += b.questions.size();
            std::cout << dir << ": ok: pack \"" << r.pack->id << "\" version " << r.pack->version << ", "
                      << r.pack->bands.size() << " bands, " << questions << " questions, " << r.pack->languages.size()
                      << " language(s)\n";
        } else {
            std::cout << dir << ": refused: " << r.errors() << " problem(s)\n";
            ++bad;
        }
    }
    return bad ? 1 : 0;
}

int responses(const std::string& db, const std::string& format) {
    auto opened = storage::Store::open(db, storage::Store::Mode::ReadOnly);
    if (!opened) return storage_failed(opened.problem());
    auto& store = *opened;
    // The heading and every row are built from these two lists, so a column
    // can't sit under another's name.
    static const std::vector<std::string> response_columns = {
        "response_id",  "device_id",       "pack_id",       "pack_version",      "band",
        "visit_type",   "language",        "started_at",    "ended_at",          "state",
        "delivered_at", "refused_because", "asked_to_talk", "practitioner_code", "case_ref"};
    static const std::vector<std::string> answer_columns = {"question_id", "position", "kind", "measure",
                                                            "skipped",     "options",  "text", "answered_at"};
    if (format == "csv") {
        std::vector<std::string> heading = response_columns;
        heading.insert(heading.end(), answer_columns.begin(), answer_columns.end());
        std::cout << formats::csv_row(heading);
    }
    const auto listed = store->for_each_response([&](const storage::StoredResponse& r) {
        const std::string ended = r.ended_at_ms ? storage::iso_time(*r.ended_at_ms) : "";
        const std::string delivered = r.delivered_at_ms ? storage::iso_time(*r.delivered_at_ms) : "";
        if (format == "jsonl") {
            nlohmann::json j = protocol::to_json(sync::to_wire(r));
            j["device_id"] = r.device_id;
            j["delivered_at"] = r.delivered_at_ms ? nlohmann::json(delivered) : nlohmann::json();
            j["refused_because"] = r.refused_because.empty() ? nlohmann::json() : nlohmann::json(r.refused_because);
            std::cout << protocol::dump(j) << "\n";
        } else {
            const std::vector<std::string> head = {r.start.id,
                                                   r.device_id,
                                                   r.start.pack_id,
                                                   r.start.pack_version,
                                                   r.start.band,
                                                   r.start.visit_type,
                                                   r.start.language,
                                                   storage::iso_time(r.start.started_at_ms),
                                                   ended,
                                                   r.state,
                                                   delivered,
                                                   r.refused_because,
                                                   r.asked_to_talk ? "true" : "false",
                                                   r.start.practitioner_code,
                                                   r.start.case_ref};
            auto row = [&](std::vector<std::string> answer) {
                std::vector<std::string> cells = head;
                answer.resize(answer_columns.size());
                cells.insert(cells.end(), answer.begin(), answer.end());
                std::cout << formats::csv_row(cells);
            };
            if (r.answers.empty()) row({});
            for (const auto& a : r.answers)
                row({a.question_id, std::to_string(a.position), a.kind, a.measure, a.skipped ? "true" : "false",
                     formats::join_options(a.options), a.text, storage::iso_time(a.answered_at_ms)});
        }
        return static_cast<bool>(std::cout);
    });
    if (!listed) return storage_failed(listed.problem());
    std::cout.flush();
    return std::cout ? 0 : 1;
}

// Reads the new PIN twice from standard input (one line each), so a typo is caught.
int set_pin(const std::string& db, const std::string& role) {
    std::string first, second;
    if (isatty(0)) std::cerr << "New " << role << " PIN: ";
    std::getline(std::cin, first);
    if (isatty(0)) std::cerr << "The same PIN again: ";
    std::getline(std::cin, second);
    if (first != second) {
        std::cerr << "sayso-admin: the two PINs differ; nothing was changed\n";
        return 1;
    }
    auto store = storage::Store::open(db);
    if (!store) return storage_failed(store.problem());
    flow::SystemClock clock;
    access::Gate gate(**store, clock);
    if (auto set = gate.set_pin(role == "admin" ? access::Role::Admin : access::Role::Practitioner, first); !set) {
        std::cerr << "sayso-admin: " << set.words() << " Nothing was changed.\n";
        return 1;
    }
    std::cerr << "sayso-admin: the " << role << " PIN is set\n";
    return 0;
}

int case_pattern(const std::string& db, const std::optional<std::string>& pattern) {
    if (pattern) {
        try {
            std::regex check(*pattern, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            std::cerr << "sayso-admin: \"" << *pattern << "\" is not a pattern (" << e.what()
                      << "); nothing was changed\n";
            return 1;
        }
        if (pattern->empty() || pattern->size() > 200) {
            std::cerr << "sayso-admin: a pattern has 1 to 200 characters; use --clear to remove it\n";
            return 1;
        }
    }
    auto store = storage::Store::open(db);
    if (!store) return storage_failed(store.problem());
    if (auto kept = (*store)->set_setting("case_pattern", pattern); !kept) return storage_failed(kept.problem());
    std::cerr << "sayso-admin: "
              << (pattern ? "case references must now match " + *pattern : "no case reference pattern") << "\n";
    return 0;
}

int keygen(const std::string& out) {
    const std::string secret = out + ".secret", pub = out + ".pub";
    std::error_code ec;
    if (std::filesystem::exists(secret, ec) || std::filesystem::exists(pub, ec)) {
        std::cerr << "sayso-admin: " << secret << " or " << pub << " exists already; nothing was written\n";
        return 1;
    }
    auto keys = pack::make_keys();
    if (!keys) {
        std::cerr << "sayso-admin: libsodium could not start\n";
        return 1;
    }
    {
        // Only its owner may read the secret key.
        const int fd = ::open(secret.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 ||
            ::write(fd, keys->secret_key.data(), keys->secret_key.size()) !=
                static_cast<ssize_t>(keys->secret_key.size()) ||
            ::write(fd, "\n", 1) != 1) {
            if (fd >= 0) ::close(fd);
            std::cerr << "sayso-admin: can't write " << secret << "\n";
            return 1;
        }
        ::close(fd);
    }
    std::ofstream(pub) << keys->public_key << "\n";
    std::cerr << "sayso-admin: signing key in " << secret << " (keep it safe, off the tablets); public key in " << pub
              << ": add it to each kiosk's trusted keys\n";
    std::cout << keys->public_key << "\n";
    return 0;
}

int sign(const std::string& dir, const std::string& key_file) {
    auto loaded = pack::load_pack(dir);
    for (const auto& p : loaded.problems)
        std::cerr << p.str() << "\n";
    if (!loaded.ok()) {
        std::cerr << "sayso-admin: " << dir << " has problems; it was not signed\n";
        return 1;
    }
    std::ifstream in(key_file);
    std::string secret;
    if (!std::getline(in, secret)) {
        std::cerr << "sayso-admin: can't read the signing key " << key_file << "\n";
        return 1;
    }
    if (auto signed_ = pack::sign_pack(dir, secret); !signed_) {
        std::cerr << "sayso-admin: " << signed_.words() << "\n";
        return 1;
    }
    std::cerr << "sayso-admin: signed " << dir << " (" << loaded.pack->id << " version " << loaded.pack->version
              << ")\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Sayso admin: check survey packs and read a kiosk's stored answers.", "sayso-admin"};
    app.set_version_flag("--version", SAYSO_VERSION);
    app.require_subcommand(1);

    std::vector<std::string> dirs;
    auto* v =
        app.add_subcommand("validate", "check survey pack folders; lists every problem as file:JSON-path: message");
    v->add_option("DIR", dirs, "pack folder(s)")->required();
    std::string trusted;
    v->add_option("--trusted-keys", trusted, "also check each pack is signed by one of these keys, as a kiosk does");

    std::string db, format = "jsonl";
    auto* r = app.add_subcommand("responses", "print the responses stored in a kiosk database");
    r->add_option("--db", db, "the kiosk's database file")->required();
    r->add_option("--format", format, "jsonl (one response a line) or csv (one answer a row)")
        ->check(CLI::IsMember({"jsonl", "csv"}))
        ->capture_default_str();

    std::string role = "practitioner";
    auto* pin = app.add_subcommand("pin", "PINs of the kiosk");
    pin->require_subcommand(1);
    auto* pin_set = pin->add_subcommand("set", "set a PIN, read twice from standard input (4 to 8 digits)");
    pin_set->add_option("--db", db, "the kiosk's database file")->required();
    pin_set->add_option("--role", role, "practitioner or admin")
        ->check(CLI::IsMember({"practitioner", "admin"}))
        ->capture_default_str();

    std::string key_out, sign_dir, sign_key;
    auto* kg = app.add_subcommand("keygen", "make a pack signing key pair: PREFIX.secret and PREFIX.pub");
    kg->add_option("--out", key_out, "file name prefix")->required();
    auto* sg = app.add_subcommand("sign", "sign every file of a pack (writes its SIGNATURE)");
    sg->add_option("PACK", sign_dir, "the pack folder")->required();
    sg->add_option("--key", sign_key, "the secret key from keygen")->required();

    std::string pattern;
    bool clear = false;
    auto* cp = app.add_subcommand("case-pattern",
                                  "the pattern every case reference typed on the kiosk must match, e.g. 'C-[0-9]{6}'");
    cp->add_option("--db", db, "the kiosk's database file")->required();
    auto* pattern_opt =
        cp->add_option("PATTERN", pattern, "a regular expression (ECMAScript) the whole reference matches");
    cp->add_flag("--clear", clear, "no pattern: any reference of letters, digits and - / . _")->excludes(pattern_opt);

    std::string preview_pack, preview_out, preview_assets;
    std::vector<std::string> preview_sizes;
#ifdef SAYSO_PREVIEW
    preview_assets = SAYSO_ASSETS_DIR;
#endif
    auto* pv = app.add_subcommand("preview", "draw every screen of every band in every language at phone, tablet and "
                                             "large sizes: PNGs and an index.html contact sheet");
    pv->add_option("PACK", preview_pack, "the pack folder")->required();
    pv->add_option("--out", preview_out, "folder for the pictures and index.html")->required();
    pv->add_option("--assets", preview_assets, "the kiosk's pictures")->capture_default_str();
    pv->add_option("--size", preview_sizes, "only these sizes: phone, tablet, large")
        ->check(CLI::IsMember({"phone", "tablet", "large"}));

    std::string import_file, import_out, ages = "8-17";
    admin::ImportOptions import;
    import.words_from = std::filesystem::path(SAYSO_SURVEYS_DIR) / "after-my-visit";
    auto* im = app.add_subcommand("import", "turn a SurveyJS survey (JSON) into a draft survey pack, listing what "
                                            "it leaves out; the pack is checked as validate checks it");
    im->add_option("FILE", import_file, "the SurveyJS survey's JSON")->required();
    im->add_option("--out", import_out, "the new pack's folder")->required();
    im->add_option("--id", import.id, "the pack's id (default: from the folder's name)");
    im->add_option("--ages", ages, "the ages its one band fits, MIN-MAX")->capture_default_str();
    im->add_option("--words-from", import.words_from,
                   "a pack whose kiosk words (start, skip, thanks...), visit types and band picture are taken")
        ->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (*v) return validate(dirs, trusted);
    if (*im) {
        int lo = 0, hi = 0;
        char dash = 0;
        std::istringstream in(ages);
        if (!(in >> lo >> dash >> hi) || dash != '-' || !in.eof() || lo < 1 || hi < lo || hi > 99) {
            std::cerr << "sayso-admin: --ages must be MIN-MAX, like 8-17\n";
            return 2;
        }
        import.min_age = lo;
        import.max_age = hi;
        return admin::import_command(import_file, import_out, import);
    }
    if (*pin_set) return set_pin(db, role);
    if (*kg) return keygen(key_out);
    if (*sg) return sign(sign_dir, sign_key);
    if (*pv) {
#ifdef SAYSO_PREVIEW
        return admin::preview(preview_pack, preview_out, preview_assets, preview_sizes);
#else
        std::cerr << "sayso-admin: this build has no screens (SAYSO_BUILD_UI=OFF), so it can't draw a preview\n";
        return 1;
#endif
    }
    if (*cp) {
        if (!clear && pattern.empty()) {
            std::cerr << "sayso-admin: give a PATTERN or --clear\n";
            return 2;
        }
        return case_pattern(db, clear ? std::nullopt : std::optional<std::string>(pattern));
    }
    return responses(db, format);
}
