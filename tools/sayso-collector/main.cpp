// sayso-collector: the reference collection endpoint (sync/PROTOCOL.md).
//   serve --listen ADDR:PORT --store sqlite:PATH|postgresql://... [--cert F --key F]
//   token add NAME --store ...      prints a new device token once
//   token revoke NAME --store ...
//   export --store ... --format csv|jsonl
//   enrol NAME --store ...          prints a one-time enrolment code for a tablet
//   keys new|backup|restore         the keys tablets seal answers to
#include "formats/formats.hpp"
#include "index.hpp"
#include "keys.hpp"
#include "users.hpp"
#include "web.hpp"
#include "server.hpp"
#include "store.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <csignal>
#include <ctime>
#include <termios.h>
#include <iostream>
#include <map>
#include <pwd.h>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace sayso::collector;
namespace reports = sayso::collector::reports;
using sayso::formats::csv_row;

int export_all(Store& store, const std::string& format, const std::vector<SealKeyPair>& keys) {
    // An answer the keys can't open is exported sealed, with why, and counted:
    // one lost key never stops the rest of an export.
    std::map<std::string, std::int64_t> unopened; // reason -> answers
    static const std::vector<std::string> columns = {
        "response_id", "device_name", "device_id", "pack_id", "pack_version", "band", "visit_type", "language",
        "started_at", "ended_at", "state", "asked_to_talk", "practitioner_code", "case_ref", "question_id",
        "position", "kind", "measure", "skipped", "options", "text", "answered_at", "unopened"};
    if (format == "csv") std::cout << csv_row(columns);
    auto e = store.for_each([&](const std::string& device, const Response& sealed_r) {
        // Sealed answers are opened here, in memory, with the collector's keys.
        Response r = sealed_r;
        for (auto& a : r.answers)
            if (auto why = open_sealed(keys, a)) {
                a.unopened = *why;
                ++unopened[*why];
            }
        if (format == "jsonl") {
            nlohmann::json answers = nlohmann::json::array();
            for (const auto& a : r.answers) {
                nlohmann::json x = {{"question_id", a.question_id}, {"position", a.position},
                                    {"kind", a.kind},               {"measure", a.measure},
                                    {"skipped", a.skipped},         {"options", a.options},
                                    {"text", a.text},               {"answered_at", a.answered_at}};
                if (!a.unopened.empty()) {
                    x["unopened"] = a.unopened;
                    x["sealed"] = a.sealed;
                    x["seal_key"] = a.seal_key;
                }
                answers.push_back(std::move(x));
            }
            nlohmann::json j = {{"id", r.id},
                                {"device_name", device},
                                {"device_id", r.device_id},
                                {"pack_id", r.pack_id},
                                {"pack_version", r.pack_version},
                                {"band", r.band},
                                {"visit_type", r.visit_type},
                                {"language", r.language},
                                {"started_at", r.started_at},
                                {"ended_at", r.ended_at},
                                {"state", r.state},
                                {"asked_to_talk", r.asked_to_talk},
                                {"practitioner_code", r.practitioner_code},
                                {"case_ref", r.case_ref},
                                {"answers", answers}};
            std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        } else {
            const std::vector<std::string> head = {r.id,         device,       r.device_id,    r.pack_id,
                                                   r.pack_version, r.band,     r.visit_type,   r.language,
                                                   r.started_at, r.ended_at,   r.state,        r.asked_to_talk ? "true" : "false",
                                                   r.practitioner_code, r.case_ref};
            auto row = [&](std::vector<std::string> answer) {
                std::vector<std::string> cells = head;
                answer.resize(columns.size() - head.size());
                cells.insert(cells.end(), answer.begin(), answer.end());
                std::cout << csv_row(cells);
            };
            if (r.answers.empty()) row({});
            for (const auto& a : r.answers)
                row({a.question_id, std::to_string(a.position), a.kind, a.measure, a.skipped ? "true" : "false",
                     sayso::formats::join_options(a.options), a.text, a.answered_at, a.unopened});
        }
        return static_cast<bool>(std::cout);
    });
    if (e) {
        std::cerr << "sayso-collector: " << e->message << "\n";
        return 1;
    }
    for (const auto& [why, n] : unopened)
        std::cerr << "sayso-collector: warning: " << n << " answer(s) exported still sealed: " << why
                  << " (restore the key with keys restore, then export again)\n";
    std::cout.flush();
    return std::cout ? 0 : 1;
}

bool parse_listen(const std::string& listen, std::string& host, int& port) {
    const auto colon = listen.rfind(':');
    port = -1;
    try {
        port = colon == std::string::npos ? -1 : std::stoi(listen.substr(colon + 1));
    } catch (...) {
    }
    if (colon == std::string::npos || port < 0 || port > 65535) return false;
    host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return true;
}

// Serves until SIGTERM or SIGINT; prints "listening on URL" first.
template <class S>
int run_server(S& server, const std::string& host, int port, const std::string& listen, sigset_t& signals) {
    // Each connection is a file descriptor: as many as the system allows this process.
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    const int bound = server.bind(host, port);
    if (bound < 0) {
        std::cerr << "sayso-collector: can't listen on " << listen << " (in use? with --cert and --key, check them)\n";
        return 1;
    }
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        server.stop();
    });
    std::cout << "listening on " << (server.tls() ? "https" : "http") << "://" << host << ":" << bound << std::endl;
    const bool ok = server.serve();
    pthread_kill(waiter.native_handle(), SIGTERM); // wakes the waiter if serve() ended on its own
    waiter.join();
    return ok ? 0 : 1;
}

// Reads a passphrase: from the terminal without echo, or a line of standard
// input when that is not a terminal (scripts). False at end of input.
bool read_passphrase(const char* prompt, std::string& out) {
    out.clear();
    const bool tty = isatty(STDIN_FILENO);
    termios old{};
    if (tty) {
        std::cerr << prompt << std::flush;
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    const bool got = static_cast<bool>(std::getline(std::cin, out));
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        std::cerr << "\n";
    }
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return got;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Sayso collector: receives children's answers from Sayso kiosks.", "sayso-collector"};
    app.require_subcommand(1);
    std::string store_spec, listen = "127.0.0.1:8080", format = "jsonl", name;
    std::string role, service, code; // users, and a tablet's service area
    ServerOptions so;

    auto* serve = app.add_subcommand("serve", "receive deliveries from kiosks");
    serve->add_option("--listen", listen, "ADDR:PORT to listen on (port 0: any free port)")->capture_default_str();
    serve->add_option("--store", store_spec, "sqlite:PATH or postgresql://...")->required();
    serve->add_option("--cert", so.cert_file, "TLS certificate (PEM): serve HTTPS");
    serve->add_option("--key", so.key_file, "TLS private key (PEM)");
    serve->add_option("--max-body", so.max_body, "largest request body, bytes")->capture_default_str();
    serve->add_option("--rate", so.per_minute, "requests a minute each tablet may make (0: no limit)")
        ->check(CLI::Range(0.0, 1e6))->capture_default_str();
    serve->add_option("--burst", so.burst, "requests a tablet may make at once before the rate applies")
        ->check(CLI::Range(1.0, 1e6))->capture_default_str();

    // The HTTP layer's limits, the same for both servers.
    double header_seconds = 10, body_seconds = 60;
    auto limit_options = [&](CLI::App* cmd) {
        cmd->add_option("--max-connections", so.limits.max_connections, "connections open at once, in all")
            ->check(CLI::Range(1, 1'000'000))->capture_default_str();
        cmd->add_option("--per-address", so.limits.per_address, "connections open at once from one address")
            ->check(CLI::Range(1, 1'000'000))->capture_default_str();
        cmd->add_option("--header-seconds", header_seconds,
                        "seconds a request's header may take to arrive (an idle connection is closed after this)")
            ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
        cmd->add_option("--body-seconds", body_seconds, "seconds a request's body may take to arrive")
            ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
    };
    limit_options(serve);

    auto* token = app.add_subcommand("token", "device tokens");
    token->require_subcommand(1);
    auto* add = token->add_subcommand("add", "make a token for a tablet; printed once, only its hash is kept");
    add->add_option("NAME", name, "the tablet's name")->required();
    add->add_option("--store", store_spec, "sqlite:PATH or postgresql://...")->required();
    add->add_option("--service", service, "the tablet's service area, stamped on its responses (e.g. early-help)");
    auto* revoke = token->add_subcommand("revoke", "stop accepting a tablet's token");
    revoke->add_option("NAME", name, "the tablet's name")->required();
    revoke->add_option("--store", store_spec, "sqlite:PATH or postgresql://...")->required();

    auto* exp = app.add_subcommand("export", "write every response with its answers");
    exp->add_option("--store", store_spec, "sqlite:PATH or postgresql://...")->required();
    std::string keys_file, key_id;
    exp->add_option("--keys", keys_file, "the collector's keys file, to open sealed answers");
    serve->add_option("--keys", keys_file, "the collector's keys file: every sealed answer is opened on arrival, and refused if it can't be");
    auto* keys_cmd = app.add_subcommand("keys", "the keys tablets seal answers to");
    keys_cmd->require_subcommand(1);
    auto* keys_new = keys_cmd->add_subcommand("new", "add a new key pair; prints the entry for the tablets' seal_keys");
    keys_new->add_option("--keys", keys_file, "the keys file (created, readable by its owner alone)")->required();
    keys_new->add_option("--id", key_id, "the new key's id, e.g. 2026-11")->required();
    std::string backup_file;
    auto* keys_backup = keys_cmd->add_subcommand(
        "backup", "write the keys file encrypted under a passphrase (asked twice); keep it away from the collector");
    keys_backup->add_option("--keys", keys_file, "the keys file")->required();
    keys_backup->add_option("--out", backup_file, "the backup to write (never overwritten)")->required();
    auto* keys_restore = keys_cmd->add_subcommand("restore", "read a backup's keys back into the keys file");
    keys_restore->add_option("--backup", backup_file, "the backup")->required();
    keys_restore->add_option("--keys", keys_file, "the keys file to add them to (created if missing)")->required();

    double valid_hours = 24;
    auto* enrol = app.add_subcommand("enrol", "make a one-time code a tablet's admin types to enrol it");
    enrol->add_option("NAME", name, "the tablet's name")->required();
    enrol->add_option("--store", store_spec, "sqlite:PATH or postgresql://...")->required();
    enrol->add_option("--service", service, "the tablet's service area, stamped on its responses (e.g. early-help)");
    enrol->add_option("--valid-hours", valid_hours, "hours until the code stops working")
        ->check(CLI::Range(0.01, 24.0 * 30))->capture_default_str();

    auto* reports_cmd = app.add_subcommand("reports", "serve the reports website (sign-in needed; see: user add)");
    std::filesystem::path packs_dir, assets_dir;
    int min_group = sayso::collector::reports::kMinGroup;
    reports_cmd->add_option("--listen", listen, "ADDR:PORT to listen on (port 0: any free port)")->capture_default_str();
    reports_cmd->add_option("--store", store_spec, "sqlite:PATH or postgresql://...")->required();
    reports_cmd->add_option("--keys", keys_file, "the collector's keys file, to open sealed answers");
    reports_cmd->add_option("--packs", packs_dir, "the survey packs, for question texts and pictures");
    serve->add_option("--packs", packs_dir, "the survey packs taken: a response from any other pack or age band is refused");
    reports_cmd->add_option("--assets", assets_dir, "the kiosk's assets folder, for the faces and yes/no pictures");
    reports_cmd->add_option("--min-group", min_group, "the fewest children a figure may be built from (5 or more)")
        ->check(CLI::Range(sayso::collector::reports::kMinGroup, 1000))
        ->capture_default_str();
    limit_options(reports_cmd);
    reports_cmd->add_option("--cert", so.cert_file, "TLS certificate (PEM): serve HTTPS");
    reports_cmd->add_option("--key", so.key_file, "TLS private key (PEM)");

    auto* user_cmd = app.add_subcommand("user", "people who may read the reports");
    user_cmd->require_subcommand(1);
    auto* user_add = user_cmd->add_subcommand("add", "add a user or change one; asks for the password twice");
    user_add->add_option("NAME", name, "their sign-in name")->required();
    user_add->add_option("--role", role, "admin, manager or practitioner")
        ->check(CLI::IsMember({"admin", "manager", "practitioner"}))->required();
    user_add->add_option("--service", service, "a manager's service area, e.g. children-in-care");
    user_add->add_option("--code", code, "a practitioner's code, as typed on the tablet");
    user_add->add_option("--store", store_spec, "sqlite:PATH or postgresql://...")->required();
    auto* user_disable = user_cmd->add_subcommand("disable", "stop a user signing in (signed out at once)");
    user_disable->add_option("NAME", name, "their sign-in name")->required();
    user_disable->add_option("--store", store_spec, "sqlite:PATH or postgresql://...")->required();

    auto* aud = app.add_subcommand("audit", "print the audit log: enrolments, tokens added and revoked, exports");
    aud->add_option("--store", store_spec, "sqlite:PATH or postgresql://...")->required();
    exp->add_option("--format", format, "jsonl (a response a line) or csv (an answer a row)")
        ->check(CLI::IsMember({"jsonl", "csv"}))
        ->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }

    so.limits.header_time = std::chrono::milliseconds(static_cast<long>(header_seconds * 1000));
    so.limits.body_time = std::chrono::milliseconds(static_cast<long>(body_seconds * 1000));
    if ((so.cert_file.empty()) != (so.key_file.empty())) {
        std::cerr << "sayso-collector: --cert and --key go together\n";
        return 2;
    }
    if (*keys_new) {
        SealKeyPair made;
        if (auto e = new_key(keys_file, key_id, made)) {
            std::cerr << "sayso-collector: " << *e << "; nothing was changed\n";
            return 1;
        }
        std::cout << nlohmann::json{{"id", made.id}, {"public_key", made.public_key}}.dump() << "\n";
        std::cerr << "sayso-collector: key \"" << made.id << "\" added to " << keys_file
                  << "; put the line above last in each tablet's \"seal_keys\", and back up the keys file\n";
        return 0;
    }
    if (*keys_backup) {
        std::string pass, again;
        if (!read_passphrase("Passphrase for the backup: ", pass) ||
            !read_passphrase("The same passphrase again: ", again)) {
            std::cerr << "sayso-collector: no passphrase was given; nothing was written\n";
            return 1;
        }
        if (pass != again) {
            std::cerr << "sayso-collector: the two passphrases differ; nothing was written\n";
            return 1;
        }
        const auto e = backup_keys(keys_file, backup_file, pass);
        sodium_memzero(pass.data(), pass.size());
        sodium_memzero(again.data(), again.size());
        if (e) {
            std::cerr << "sayso-collector: " << *e << "; nothing was written\n";
            return 1;
        }
        std::cerr << "sayso-collector: the keys are in " << backup_file
                  << ", encrypted; keep it and the passphrase apart, both away from the collector\n";
        return 0;
    }
    if (*keys_restore) {
        std::string pass;
        if (!read_passphrase("Passphrase of the backup: ", pass)) {
            std::cerr << "sayso-collector: no passphrase was given; nothing was changed\n";
            return 1;
        }
        std::vector<std::string> ids;
        const auto e = restore_keys(backup_file, keys_file, pass, ids);
        sodium_memzero(pass.data(), pass.size());
        if (e) {
            std::cerr << "sayso-collector: " << *e << "\n";
            return 1;
        }
        if (ids.empty()) std::cerr << "sayso-collector: " << keys_file << " already holds every key in the backup\n";
        for (const auto& id : ids) std::cerr << "sayso-collector: key \"" << id << "\" restored to " << keys_file << "\n";
        return 0;
    }
    std::vector<SealKeyPair> keys;
    if (!keys_file.empty())
        if (auto e = load_keys(keys_file, keys)) {
            std::cerr << "sayso-collector: " << *e << "\n";
            return 1;
        }
    std::string err;
    auto store = open_store(store_spec, err);
    if (!store) {
        std::cerr << "sayso-collector: " << err << "\n";
        return 1;
    }

    // Who did it, for the audit log: the operating system user running this.
    std::string who = "by ";
    if (const passwd* pw = getpwuid(geteuid())) who += pw->pw_name;
    else who += "uid " + std::to_string(geteuid());
    auto audited = [&](const char* event, const std::string& subject, const std::string& detail) {
        if (auto e = store->audit(event, subject, who + detail)) {
            std::cerr << "sayso-collector: " << e->message << "; nothing was done\n";
            return false;
        }
        return true;
    };

    // A tablet's service area, kept by name: its responses are stamped with it as they arrive.
    auto set_service = [&]() {
        if (service.empty()) return true;
        std::vector<Store::Row> none;
        if (auto e = store->query("INSERT INTO device_services (name, service_area) VALUES (?, ?)"
                                  " ON CONFLICT (name) DO UPDATE SET service_area = excluded.service_area",
                                  {name, service}, none)) {
            std::cerr << "sayso-collector: " << e->message << "\n";
            return false;
        }
        return true;
    };
    if (*user_add) {
        std::string pass, again;
        if (!read_passphrase("Password: ", pass) || !read_passphrase("The same password again: ", again)) {
            std::cerr << "sayso-collector: no password was given; nothing was changed\n";
            return 1;
        }
        if (pass != again) {
            std::cerr << "sayso-collector: the two passwords differ; nothing was changed\n";
            return 1;
        }
        const auto e = reports::add_user(*store, reports::Reader{name, role, service, code}, pass);
        sodium_memzero(pass.data(), pass.size());
        sodium_memzero(again.data(), again.size());
        if (e) {
            std::cerr << "sayso-collector: " << *e << "; nothing was changed\n";
            return 1;
        }
        return audited("user_added", name, ", role " + role + (service.empty() ? "" : ", service " + service) +
                                               (code.empty() ? "" : ", code " + code))
                   ? 0
                   : 1;
    }
    if (*user_disable) {
        if (auto e = reports::disable_user(*store, name)) {
            std::cerr << "sayso-collector: " << *e << "\n";
            return 1;
        }
        return audited("user_disabled", name, "") ? 0 : 1;
    }
    if (*add) {
        if (!set_service()) return 1;
        const std::string t = new_token();
        if (auto e = store->add_device(name, token_hash(t))) {
            std::cerr << "sayso-collector: " << e->message << "\n";
            return 1;
        }
        if (!audited("token_added", name, "")) return 1;
        std::cout << t << "\n";
        std::cerr << "sayso-collector: token for \"" << name << "\" printed once; only its hash is kept\n";
        return 0;
    }
    if (*enrol) {
        if (!set_service()) return 1;
        const std::string once = new_enrolment_code();
        const auto expires = static_cast<std::int64_t>(std::time(nullptr)) + static_cast<std::int64_t>(valid_hours * 3600);
        if (auto e = store->add_enrolment(name, token_hash(normalise_code(once)), expires)) {
            std::cerr << "sayso-collector: " << e->message << "\n";
            return 1;
        }
        char until[32];
        const std::time_t t = expires;
        std::strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
        if (!audited("enrolment_issued", name, ", valid until " + std::string(until))) return 1;
        std::cout << once << "\n";
        std::cerr << "sayso-collector: type this code on \"" << name << "\" (admin screen, Delivery); it works once, until "
                  << until << "\n";
        return 0;
    }
    if (*revoke) {
        bool found = false;
        if (auto e = store->revoke_device(name, found)) {
            std::cerr << "sayso-collector: " << e->message << "\n";
            return 1;
        }
        if (!found) {
            std::cerr << "sayso-collector: no active device named \"" << name << "\"\n";
            return 1;
        }
        return audited("token_revoked", name, "") ? 0 : 1;
    }
    if (*exp) {
        // Logged before anything leaves: an export that fails half way still shows.
        if (!audited("exported", format, "")) return 1;
        return export_all(*store, format, keys);
    }
    if (*aud) {
        auto e = store->for_each_audit([](const AuditEntry& a) {
            std::cout << a.at << "  " << a.event << "  " << a.subject << "  " << a.detail << "\n";
            return static_cast<bool>(std::cout);
        });
        if (e) {
            std::cerr << "sayso-collector: " << e->message << "\n";
            return 1;
        }
        return 0;
    }

    {
        // Answers sealed to a key that is not here can't be read until it is
        // restored. That is said, loudly, but never stops a server: every
        // tablet's delivery depends on it.
        std::set<std::string> ids;
        if (auto e = store->seal_key_ids(ids)) {
            std::cerr << "sayso-collector: " << e->message << "\n";
            return 1;
        }
        for (const auto& id : ids) {
            const bool held = std::any_of(keys.begin(), keys.end(), [&](const SealKeyPair& k) { return k.id == id; });
            if (!held)
                std::cerr << "sayso-collector: warning: answers in this store are sealed to key \"" << id << "\", which "
                          << (keys_file.empty() ? std::string("no --keys file was given for")
                                                : keys_file + " does not hold")
                          << "; they can't be read until that key is restored (keys restore)\n";
        }
    }
    std::string host;
    int port = -1;
    if (!parse_listen(listen, host, port)) {
        std::cerr << "sayso-collector: --listen must be ADDR:PORT, like 127.0.0.1:8080\n";
        return 2;
    }
    // SIGTERM and SIGINT stop the server cleanly; a thread waits for them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    if (*reports_cmd) {
        reports::WebOptions wo;
        wo.threshold = min_group;
        wo.keys = keys;
        wo.assets = assets_dir;
        // Figures are counted at once on several connections (one more than the cores, to balance).
        wo.readers = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 2u, 4u));
        wo.cert_file = so.cert_file;
        wo.key_file = so.key_file;
        wo.limits = so.limits;
        if (!packs_dir.empty()) {
            std::vector<std::string> problems;
            wo.packs = reports::load_packs(packs_dir, problems);
            for (const auto& p : problems) std::cerr << "sayso-collector: pack skipped: " << p << "\n";
        }
        // Everything that arrived so far is indexed before the first page.
        reports::Indexed done;
        if (auto e = reports::index_new(*store, keys, done)) {
            std::cerr << "sayso-collector: can't index responses for reports: " << e->message << "\n";
            return 1;
        }
        std::cerr << "sayso-collector: " << done.responses << " new response(s) indexed for reports\n";
        reports::ReportServer server(*store, wo);
        return run_server(server, host, port, listen, signals);
    }
    so.intake.keys = keys;
    if (!packs_dir.empty()) {
        std::vector<std::string> problems;
        for (const auto& [id, pack] : reports::load_packs(packs_dir, problems))
            for (const auto& band : pack->bands) so.intake.packs[id].insert(band.id);
        for (const auto& p : problems) std::cerr << "sayso-collector: pack skipped: " << p << "\n";
        if (so.intake.packs.empty()) {
            std::cerr << "sayso-collector: no pack could be read from " << packs_dir.string()
                      << "; every response would be refused\n";
            return 1;
        }
    }
    Server server(*store, so);
    return run_server(server, host, port, listen, signals);
}
