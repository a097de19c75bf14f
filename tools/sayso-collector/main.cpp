// sayso-collector: the reference collection endpoint (sync/PROTOCOL.md).
//   serve --listen ADDR:PORT --store sqlite:PATH|postgresql://... [--cert F --key F]
//   token add NAME --store ...      prints a new device token once
//   token revoke NAME --store ...
//   export --store ... --format csv|jsonl
//   enrol NAME --store ...          prints a one-time enrolment code for a tablet
//   keys new|backup|restore         the keys tablets seal answers to
//   publish-key --store ...         the key tablets check "you said, we did" with
#include "backup.hpp"
#include "formats/formats.hpp"
#include "http/message.hpp"
#include "index.hpp"
#include "keys.hpp"
#include "publish.hpp"
#include "server.hpp"
#include "store.hpp"
#include "users.hpp"
#include "web.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <csignal>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <pwd.h>
#include <sys/resource.h>
#include <termios.h>
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
        "response_id",       "device_name", "device_id",  "pack_id",     "pack_version", "band",
        "visit_type",        "language",    "started_at", "ended_at",    "state",        "asked_to_talk",
        "practitioner_code", "case_ref",    "visit_id",   "question_id", "position",     "kind",
        "measure",           "skipped",     "options",    "text",        "answered_at",  "unopened"};
    if (format == "csv") std::cout << csv_row(columns);
    auto exported = store.for_each([&](const std::string& device, const Response& sealed_r) {
        // Sealed answers are opened here, in memory, with the collector's keys.
        Response r = sealed_r;
        std::vector<std::string> why(r.answers.size()); // why each answer stays sealed; empty when it opened
        for (std::size_t i = 0; i < r.answers.size(); ++i) {
            auto& a = r.answers[i];
            if (auto open = open_sealed(keys, a); !open) {
                why[i] = open.words();
                ++unopened[why[i]];
            } else {
                a.sealed.clear();
                a.seal_key.clear();
            }
        }
        if (format == "jsonl") {
            // The protocol's own response object, with what an export has always added: the tablet,
            // "" for a response that never ended, and an answer still sealed with why and empty fields.
            nlohmann::json j = sayso::protocol::to_json(r);
            j["ended_at"] = r.ended_at;
            for (std::size_t i = 0; i < r.answers.size(); ++i)
                if (!why[i].empty()) {
                    auto& a = j["answers"][i];
                    a["unopened"] = why[i];
                    a["skipped"] = false;
                    a["options"] = nlohmann::json::array();
                    a["text"] = "";
                }
            j["device_name"] = device;
            j["device_id"] = r.device_id;
            std::cout << sayso::protocol::dump(j) << "\n";
        } else {
            const std::vector<std::string> head = {r.id,
                                                   device,
                                                   r.device_id,
                                                   r.pack_id,
                                                   r.pack_version,
                                                   r.band,
                                                   r.visit_type,
                                                   r.language,
                                                   r.started_at,
                                                   r.ended_at,
                                                   r.state,
                                                   r.asked_to_talk ? "true" : "false",
                                                   r.practitioner_code,
                                                   r.case_ref,
                                                   r.visit_id};
            auto row = [&](std::vector<std::string> answer) {
                std::vector<std::string> cells = head;
                answer.resize(columns.size() - head.size());
                cells.insert(cells.end(), answer.begin(), answer.end());
                std::cout << csv_row(cells);
            };
            if (r.answers.empty()) row({});
            for (std::size_t i = 0; i < r.answers.size(); ++i) {
                const auto& a = r.answers[i];
                row({a.question_id, std::to_string(a.position), a.kind, a.measure, a.skipped ? "true" : "false",
                     sayso::formats::join_options(a.options), a.text, a.answered_at, why[i]});
            }
        }
        return static_cast<bool>(std::cout);
    });
    if (!exported) {
        std::cerr << "sayso-collector: " << exported.problem().message << "\n";
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

// Everything the command line can say; each subcommand reads what it needs.
struct Args {
    std::string store_spec, listen = "127.0.0.1:8080", format = "jsonl", name;
    std::string role, service, code; // users, and a tablet's service area
    std::string keys_file, key_id, backup_file;
    std::filesystem::path packs_dir, assets_dir;
    int min_group = reports::kMinGroup;
    double valid_hours = 24;
    double header_seconds = 10, body_seconds = 60;
    ServerOptions so;
};

int say(const std::string& words, int code) {
    std::cerr << "sayso-collector: " << words << "\n";
    return code;
}

std::unique_ptr<Store> open_or_say(const Args& a) {
    auto store = open_store(a.store_spec);
    if (!store) say(store.words(), 1);
    return std::move(store).value_or(nullptr);
}

bool keys_or_say(const Args& a, std::vector<SealKeyPair>& keys) {
    keys.clear();
    if (a.keys_file.empty()) return true;
    auto loaded = load_keys(a.keys_file);
    if (!loaded) return say(loaded.words(), 1), false;
    keys = std::move(*loaded);
    return true;
}

// An audit log entry, with who did it: the operating system user running this.
bool audited(Store& store, const char* event, const std::string& subject, const std::string& detail) {
    std::string who = "by ";
    if (const passwd* pw = getpwuid(geteuid()))
        who += pw->pw_name;
    else
        who += "uid " + std::to_string(geteuid());
    if (auto written = store.audit(event, subject, who + detail); !written)
        return say(written.problem().message + "; nothing was done", 1), false;
    return true;
}

// A tablet's service area, kept by name: its responses are stamped with it as they arrive.
bool set_service(Store& store, const Args& a) {
    if (a.service.empty()) return true;
    const auto kept = store.query("INSERT INTO device_services (name, service_area) VALUES (?, ?)"
                                  " ON CONFLICT (name) DO UPDATE SET service_area = excluded.service_area",
                                  {a.name, a.service});
    if (!kept) return say(kept.problem().message, 1), false;
    return true;
}

// A passphrase or password typed twice; false (having said why) when it wasn't.
bool typed_twice(const char* first, const char* second, const char* what, const char* unchanged, std::string& out) {
    std::string again;
    if (!read_passphrase(first, out) || !read_passphrase(second, again))
        return say(std::string("no ") + what + " was given; " + unchanged, 1), false;
    const bool same = out == again;
    sodium_memzero(again.data(), again.size());
    if (!same) {
        sodium_memzero(out.data(), out.size());
        return say(std::string("the two ") + what + "s differ; " + unchanged, 1), false;
    }
    return true;
}

int keys_new_cmd(const Args& a) {
    const auto made_or = new_key(a.keys_file, a.key_id);
    if (!made_or) return say(made_or.words() + "; nothing was changed", 1);
    const SealKeyPair& made = *made_or;
    std::cout << nlohmann::json{{"id", made.id}, {"public_key", made.public_key}}.dump() << "\n";
    return say("key \"" + made.id + "\" added to " + a.keys_file +
                   "; put the line above last in each tablet's \"seal_keys\", and back up the keys file",
               0);
}

int keys_backup_cmd(const Args& a) {
    std::string pass;
    if (!typed_twice("Passphrase for the backup: ", "The same passphrase again: ", "passphrase", "nothing was written",
                     pass))
        return 1;
    const auto backed_up = backup_keys(a.keys_file, a.backup_file, pass);
    sodium_memzero(pass.data(), pass.size());
    if (!backed_up) return say(backed_up.words() + "; nothing was written", 1);
    return say("the keys are in " + a.backup_file +
                   ", encrypted; keep it and the passphrase apart, both away from the collector",
               0);
}

int keys_restore_cmd(const Args& a) {
    std::string pass;
    if (!read_passphrase("Passphrase of the backup: ", pass))
        return say("no passphrase was given; nothing was changed", 1);
    const auto ids = restore_keys(a.backup_file, a.keys_file, pass);
    sodium_memzero(pass.data(), pass.size());
    if (!ids) return say(ids.words(), 1);
    if (ids->empty()) say(a.keys_file + " already holds every key in the backup", 0);
    for (const auto& id : *ids)
        say("key \"" + id + "\" restored to " + a.keys_file, 0);
    return 0;
}

int user_add_cmd(const Args& a) {
    auto store = open_or_say(a);
    if (!store) return 1;
    std::string pass;
    if (!typed_twice("Password: ", "The same password again: ", "password", "nothing was changed", pass)) return 1;
    const auto added = reports::add_user(*store, reports::Reader{a.name, a.role, a.service, a.code}, pass);
    sodium_memzero(pass.data(), pass.size());
    if (!added) return say(added.words() + "; nothing was changed", 1);
    return audited(*store, "user_added", a.name,
                   ", role " + a.role + (a.service.empty() ? "" : ", service " + a.service) +
                       (a.code.empty() ? "" : ", code " + a.code))
               ? 0
               : 1;
}

int user_disable_cmd(const Args& a) {
    auto store = open_or_say(a);
    if (!store) return 1;
    if (auto disabled = reports::disable_user(*store, a.name); !disabled) return say(disabled.words(), 1);
    return audited(*store, "user_disabled", a.name, "") ? 0 : 1;
}

int token_add_cmd(const Args& a) {
    auto store = open_or_say(a);
    if (!store || !set_service(*store, a)) return 1;
    const std::string t = new_token();
    if (auto added = store->add_device(a.name, token_hash(t)); !added) return say(added.problem().message, 1);
    if (!audited(*store, "token_added", a.name, "")) return 1;
    std::cout << t << "\n";
    return say("token for \"" + a.name + "\" printed once; only its hash is kept", 0);
}

int token_revoke_cmd(const Args& a) {
    auto store = open_or_say(a);
    if (!store) return 1;
    const auto found = store->revoke_device(a.name);
    if (!found) return say(found.problem().message, 1);
    if (!*found) return say("no active device named \"" + a.name + "\"", 1);
    return audited(*store, "token_revoked", a.name, "") ? 0 : 1;
}

int enrol_cmd(const Args& a) {
    auto store = open_or_say(a);
    if (!store || !set_service(*store, a)) return 1;
    const std::string once = new_enrolment_code();
    const auto expires =
        static_cast<std::int64_t>(std::time(nullptr)) + static_cast<std::int64_t>(a.valid_hours * 3600);
    if (auto kept = store->add_enrolment(a.name, token_hash(sayso::protocol::normalise_code(once)), expires); !kept)
        return say(kept.problem().message, 1);
    char until[32];
    const std::time_t t = expires;
    std::strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
    if (!audited(*store, "enrolment_issued", a.name, ", valid until " + std::string(until))) return 1;
    std::cout << once << "\n";
    return say("type this code on \"" + a.name + "\" (admin screen, Delivery); it works once, until " + until, 0);
}

// For a tablet given a token by hand: the key its "we did" lists are signed with.
int publish_key_cmd(const Args& a) {
    auto store = open_or_say(a);
    if (!store) return 1;
    auto key = publish_key(*store);
    if (!key) return say(key.problem().message, 1);
    std::cout << key->public_key << "\n";
    return say("put it in a tablet's delivery settings as \"publish_key\" (enrolment gives it)", 0);
}

int export_cmd(const Args& a) {
    std::vector<SealKeyPair> keys;
    if (!keys_or_say(a, keys)) return 1;
    auto store = open_or_say(a);
    if (!store) return 1;
    // Logged before anything leaves: an export that fails half way still shows.
    if (!audited(*store, "exported", a.format, "")) return 1;
    return export_all(*store, a.format, keys);
}

std::string size_words(std::int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

int backup_cmd(const Args& a) {
    const auto taken = backup_store(a.store_spec, a.backup_file);
    if (!taken) return say(taken.words() + "; nothing was written", 1);
    // Logged in the store once the copy is made (a copy that failed copied nothing away).
    if (auto store = open_or_say(a); !store || !audited(*store, "backed_up", a.backup_file, ""))
        return say("the backup is in " + a.backup_file + ", but it is not in the audit log", 1);
    return say("backed up " + std::to_string(taken->responses) + " responses to " + a.backup_file + " (" +
                   size_words(taken->bytes) +
                   ", checked whole); keep it off this machine, and the keys' backup apart from it",
               0);
}

int restore_cmd(const Args& a) {
    const auto made = restore_store(a.backup_file, a.store_spec);
    if (!made) return say(made.words() + "; nothing was changed", 1);
    return say("restored " + std::to_string(made->responses) + " responses from " + a.backup_file + " into " +
                   a.store_spec + "; start the collectors on it, with the keys file the backup was made beside",
               0);
}

int audit_cmd(const Args& a) {
    auto store = open_or_say(a);
    if (!store) return 1;
    auto listed = store->for_each_audit([](const AuditEntry& x) {
        std::cout << x.at << "  " << x.event << "  " << x.subject << "  " << x.detail << "\n";
        return static_cast<bool>(std::cout);
    });
    return listed ? 0 : say(listed.problem().message, 1);
}

// Answers sealed to a key that is not here can't be read until it is
// restored. That is said, loudly, but never stops a server: every tablet's
// delivery depends on it.
bool warn_of_lost_keys(Store& store, const std::vector<SealKeyPair>& keys, const std::string& keys_file) {
    const auto ids = store.seal_key_ids();
    if (!ids) return say(ids.problem().message, 1), false;
    for (const auto& id : *ids) {
        const bool held = std::any_of(keys.begin(), keys.end(), [&](const SealKeyPair& k) { return k.id == id; });
        if (!held)
            say("warning: answers in this store are sealed to key \"" + id + "\", which " +
                    (keys_file.empty() ? std::string("no --keys file was given for") : keys_file + " does not hold") +
                    "; they can't be read until that key is restored (keys restore)",
                0);
    }
    return true;
}

// What both servers need before they start: the store, the keys, the address.
struct Serving {
    std::unique_ptr<Store> store;
    std::vector<SealKeyPair> keys;
    std::string host;
    int port = -1;
    sigset_t signals{};
};

// 0 when ready; else the exit code, having said why.
int prepare(Args& a, Serving& s) {
    a.so.limits.header_time = std::chrono::milliseconds(static_cast<long>(a.header_seconds * 1000));
    a.so.limits.body_time = std::chrono::milliseconds(static_cast<long>(a.body_seconds * 1000));
    if (a.so.cert_file.empty() != a.so.key_file.empty()) return say("--cert and --key go together", 2);
    if (!parse_listen(a.listen, s.host, s.port)) return say("--listen must be ADDR:PORT, like 127.0.0.1:8080", 2);
    if (!keys_or_say(a, s.keys)) return 1;
    if (!(s.store = open_or_say(a))) return 1;
    if (!warn_of_lost_keys(*s.store, s.keys, a.keys_file)) return 1;
    // SIGTERM and SIGINT stop the server cleanly; a thread waits for them.
    sigemptyset(&s.signals);
    sigaddset(&s.signals, SIGTERM);
    sigaddset(&s.signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &s.signals, nullptr);
    return 0;
}

int serve_cmd(Args& a) {
    Serving s;
    if (int code = prepare(a, s)) return code;
    a.so.intake.keys = s.keys;
    a.so.keys_file = a.keys_file;
    if (!a.packs_dir.empty()) {
        std::vector<std::string> problems;
        for (const auto& pack : reports::load_pack_versions(a.packs_dir, problems))
            for (const auto& band : pack->bands)
                a.so.intake.packs[pack->id].insert(band.id);
        for (const auto& p : problems)
            say("pack skipped: " + p, 0);
        if (a.so.intake.packs.empty())
            return say("no pack could be read from " + a.packs_dir.string() + "; every response would be refused", 1);
    }
    Server server(*s.store, a.so);
    return run_server(server, s.host, s.port, a.listen, s.signals);
}

int reports_cmd(Args& a) {
    Serving s;
    if (int code = prepare(a, s)) return code;
    reports::WebOptions wo;
    wo.threshold = a.min_group;
    wo.keys = s.keys;
    wo.assets = a.assets_dir;
    // Figures are counted at once on several connections (one more than the cores, to balance).
    wo.readers = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 2u, 4u));
    wo.cert_file = a.so.cert_file;
    wo.key_file = a.so.key_file;
    wo.limits = a.so.limits;
    if (!a.packs_dir.empty()) {
        std::vector<std::string> problems;
        wo.words = reports::Vocabulary(reports::load_pack_versions(a.packs_dir, problems));
        for (const auto& p : problems)
            say("pack skipped: " + p, 0);
    }
    if (wo.words.empty())
        say("warning: no survey packs were given (--packs), so reports show measures, areas and bands by their ids, "
            "and count only faces and yes/no as ratings",
            0);
    // Answers of a pack version not given are read by the newest version of
    // that pack given (or, for a pack not given, as the kiosk's faces and
    // yes/no): said, so the admin can add that version's folder.
    if (auto held = s.store->query("SELECT DISTINCT pack_id, pack_version FROM responses", {}); held) {
        for (const auto& r : *held) {
            const sayso::pack::Pack* p = wo.words.pack_of(r[0], r[1]);
            if (!p || p->version != r[1])
                say("warning: answers from the pack \"" + r[0] + "\" " + r[1] +
                        " are here, but --packs does not hold " +
                        (p ? "that version; they are read by version " + p->version : std::string("that pack")) +
                        "; add its folder so they read as it says",
                    0);
        }
    }
    // What arrived is indexed in the background, from the start: the site
    // serves at once, and its pages say what is still being counted.
    static std::mutex said;
    wo.say = [](const std::string& words) {
        std::lock_guard lock(said);
        say(words, 0);
    };
    reports::ReportServer server(*s.store, wo);
    return run_server(server, s.host, s.port, a.listen, s.signals);
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Sayso collector: receives children's answers from Sayso kiosks.", "sayso-collector"};
    app.require_subcommand(1);
    app.set_version_flag("--version", SAYSO_VERSION);
    Args a;
    std::vector<std::pair<CLI::App*, std::function<int(Args&)>>> commands;
    auto command = [&](CLI::App* parent, const char* name, const char* what, std::function<int(Args&)> run) {
        CLI::App* c = parent->add_subcommand(name, what);
        commands.emplace_back(c, std::move(run));
        return c;
    };
    auto store_option = [&](CLI::App* c) {
        c->add_option("--store", a.store_spec, "sqlite:PATH or postgresql://...")->required();
    };
    // The HTTP layer's limits and TLS, the same for both servers.
    auto server_options = [&](CLI::App* c) {
        c->add_option("--listen", a.listen, "ADDR:PORT to listen on (port 0: any free port)")->capture_default_str();
        store_option(c);
        c->add_option("--cert", a.so.cert_file, "TLS certificate (PEM): serve HTTPS");
        c->add_option("--key", a.so.key_file, "TLS private key (PEM)");
        c->add_option("--max-connections", a.so.limits.max_connections, "connections open at once, in all")
            ->check(CLI::Range(1, 1'000'000))
            ->capture_default_str();
        c->add_option("--per-address", a.so.limits.per_address, "connections open at once from one address")
            ->check(CLI::Range(1, 1'000'000))
            ->capture_default_str();
        c->add_option("--header-seconds", a.header_seconds,
                      "seconds a request's header may take to arrive (an idle connection is closed after this)")
            ->check(CLI::Range(0.1, 3600.0))
            ->capture_default_str();
        c->add_option("--body-seconds", a.body_seconds, "seconds a request's body may take to arrive")
            ->check(CLI::Range(0.1, 3600.0))
            ->capture_default_str();
        c->add_option("--trusted-proxy", a.so.limits.trusted_proxies,
                      "the address of a web server in front (repeatable): its X-Forwarded-For and "
                      "X-Forwarded-Proto name the client, for limits and the audit log")
            ->check(CLI::Validator(
                [](std::string& v) {
                    boost::system::error_code ec;
                    const auto ip = boost::asio::ip::make_address(v, ec);
                    if (ec) return std::string("not an IP address: " + v);
                    v = sayso::http::peer_address(ip.to_string()).address; // as a peer's address is written
                    return std::string();
                },
                "IP"));
    };

    auto* serve = command(&app, "serve", "receive deliveries from kiosks", serve_cmd);
    server_options(serve);
    serve->add_option("--max-body", a.so.max_body, "largest request body, bytes")->capture_default_str();
    serve->add_option("--rate", a.so.per_minute, "requests a minute each tablet may make (0: no limit)")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    serve->add_option("--burst", a.so.burst, "requests a tablet may make at once before the rate applies")
        ->check(CLI::Range(1.0, 1e6))
        ->capture_default_str();
    serve->add_option(
        "--keys", a.keys_file,
        "the collector's keys file: every sealed answer is opened on arrival, and refused if it can't be");
    serve->add_option("--packs", a.packs_dir,
                      "the survey packs taken: a response from any other pack or age band is refused");

    auto* token = app.add_subcommand("token", "device tokens");
    token->require_subcommand(1);
    auto* add = command(token, "add", "make a token for a tablet; printed once, only its hash is kept", token_add_cmd);
    add->add_option("NAME", a.name, "the tablet's name")->required();
    store_option(add);
    add->add_option("--service", a.service, "the tablet's service area, stamped on its responses (e.g. early-help)");
    auto* revoke = command(token, "revoke", "stop accepting a tablet's token", token_revoke_cmd);
    revoke->add_option("NAME", a.name, "the tablet's name")->required();
    store_option(revoke);

    auto* publish = command(&app, "publish-key",
                            "print the key \"you said, we did\" is signed with, for tablets given a token by hand",
                            publish_key_cmd);
    store_option(publish);

    auto* exp = command(&app, "export", "write every response with its answers", export_cmd);
    store_option(exp);
    exp->add_option("--keys", a.keys_file, "the collector's keys file, to open sealed answers");
    exp->add_option("--format", a.format, "jsonl (a response a line) or csv (an answer a row)")
        ->check(CLI::IsMember({"jsonl", "csv"}))
        ->capture_default_str();

    auto* keys_cmd = app.add_subcommand("keys", "the keys tablets seal answers to");
    keys_cmd->require_subcommand(1);
    auto* keys_new =
        command(keys_cmd, "new", "add a new key pair; prints the entry for the tablets' seal_keys", keys_new_cmd);
    keys_new->add_option("--keys", a.keys_file, "the keys file (created, readable by its owner alone)")->required();
    keys_new->add_option("--id", a.key_id, "the new key's id, e.g. 2026-11")->required();
    auto* keys_backup =
        command(keys_cmd, "backup",
                "write the keys file encrypted under a passphrase (asked twice); keep it away from the collector",
                keys_backup_cmd);
    keys_backup->add_option("--keys", a.keys_file, "the keys file")->required();
    keys_backup->add_option("--out", a.backup_file, "the backup to write (never overwritten)")->required();
    auto* keys_restore = command(keys_cmd, "restore", "read a backup's keys back into the keys file", keys_restore_cmd);
    keys_restore->add_option("--backup", a.backup_file, "the backup")->required();
    keys_restore->add_option("--keys", a.keys_file, "the keys file to add them to (created if missing)")->required();

    auto* enrol = command(&app, "enrol", "make a one-time code a tablet's admin types to enrol it", enrol_cmd);
    enrol->add_option("NAME", a.name, "the tablet's name")->required();
    store_option(enrol);
    enrol->add_option("--service", a.service, "the tablet's service area, stamped on its responses (e.g. early-help)");
    enrol->add_option("--valid-hours", a.valid_hours, "hours until the code stops working")
        ->check(CLI::Range(0.01, 24.0 * 30))
        ->capture_default_str();

    auto* site = command(&app, "reports", "serve the reports website (sign-in needed; see: user add)", reports_cmd);
    server_options(site);
    site->add_option("--keys", a.keys_file, "the collector's keys file, to open sealed answers");
    site->add_option("--packs", a.packs_dir,
                     "the survey packs (every version answers came from): what measures, service areas, visit types "
                     "and bands are called, how answers read, question texts and pictures");
    site->add_option("--assets", a.assets_dir, "the kiosk's assets folder, for the faces and yes/no pictures");
    site->add_option("--min-group", a.min_group, "the fewest children a figure may be built from (5 or more)")
        ->check(CLI::Range(reports::kMinGroup, 1000))
        ->capture_default_str();

    auto* user_cmd = app.add_subcommand("user", "people who may read the reports");
    user_cmd->require_subcommand(1);
    auto* user_add = command(user_cmd, "add", "add a user or change one; asks for the password twice", user_add_cmd);
    user_add->add_option("NAME", a.name, "their sign-in name")->required();
    user_add->add_option("--role", a.role, "admin, manager or practitioner")
        ->check(CLI::IsMember({"admin", "manager", "practitioner"}))
        ->required();
    user_add->add_option("--service", a.service, "a manager's service area, e.g. children-in-care");
    user_add->add_option("--code", a.code, "a practitioner's code, as typed on the tablet");
    store_option(user_add);
    auto* user_disable = command(user_cmd, "disable", "stop a user signing in (signed out at once)", user_disable_cmd);
    user_disable->add_option("NAME", a.name, "their sign-in name")->required();
    store_option(user_disable);

    auto* backup =
        command(&app, "backup", "copy the store while collectors serve (SQLite's online backup; PostgreSQL: pg_dump)",
                backup_cmd);
    store_option(backup);
    backup->add_option("--out", a.backup_file, "the copy to write (never overwritten)")->required();
    auto* restore = command(&app, "restore", "make a new store from a backup (PostgreSQL: pg_restore)", restore_cmd);
    restore->add_option("--from", a.backup_file, "the backup")->required();
    restore->add_option("--store", a.store_spec, "the new store, sqlite:PATH (PATH must not exist yet)")->required();

    auto* aud = command(&app, "audit", "print the audit log: enrolments, tokens added and revoked, exports, backups",
                        audit_cmd);
    store_option(aud);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    for (auto& [cmd, run] : commands)
        if (*cmd) return run(a);
    return 2;
}
