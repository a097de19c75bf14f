// The Debian packaging (tools/packaging/debian): its systemd units and the
// collector's settings, checked without installing anything. tools/package
// builds the packages themselves and checks them with lintian.
#include "collector_process.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <sstream>

namespace {

namespace fs = std::filesystem;

const fs::path kDebian = test::source_dir / "tools" / "packaging" / "debian";

// debian/PACKAGE.UNIT.service is installed as UNIT.service.
const std::pair<const char*, const char*> kUnits[] = {
    {"sayso.sayso-kiosk.service", "sayso-kiosk.service"},
    {"sayso-collector.sayso-collector.service", "sayso-collector.service"},
    {"sayso-collector.sayso-reports.service", "sayso-reports.service"},
};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// A unit as installed, beside its settings file, with the collector's path
// the build's (systemd-analyze verify checks that a service's program exists).
fs::path installed_unit(const test::TempDir& dir, const char* file, const char* name) {
    std::string text = test::read_file(kDebian / file);
    text = replace_all(text, "/usr/bin/sayso-collector", SAYSO_COLLECTOR);
    text = replace_all(text, "/etc/sayso/collector.conf", (dir / "collector.conf").string());
    test::write_file(dir / "collector.conf", test::read_file(kDebian / "collector.conf"));
    const auto unit = dir / name;
    test::write_file(unit, text);
    return unit;
}

// NAME=value lines, as systemd's EnvironmentFile= reads them here (no quotes used).
std::map<std::string, std::string> settings(const fs::path& file) {
    std::map<std::string, std::string> out;
    std::istringstream in(test::read_file(file));
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto eq = line.find('=');
        REQUIRE_MESSAGE(eq != std::string::npos, line);
        out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

// ExecStart= as systemd expands it: ${NAME} is one word, $NAME is split at spaces.
std::vector<std::string> exec_start(const fs::path& unit, const std::map<std::string, std::string>& env) {
    std::istringstream in(test::read_file(unit));
    std::string line;
    while (std::getline(in, line) && line.rfind("ExecStart=", 0) != 0) {
    }
    REQUIRE(line.rfind("ExecStart=", 0) == 0);
    std::vector<std::string> words;
    std::istringstream ws(line.substr(10));
    for (std::string w; ws >> w;) {
        std::smatch m;
        if (std::regex_match(w, m, std::regex(R"(\$\{([A-Z_]+)\})"))) {
            REQUIRE_MESSAGE(env.count(m[1]), "not in the settings: " << m[1]);
            words.push_back(env.at(m[1]));
        } else if (std::regex_match(w, m, std::regex(R"(\$([A-Z_]+))"))) {
            REQUIRE_MESSAGE(env.count(m[1]), "not in the settings: " << m[1]);
            std::istringstream split(env.at(m[1]));
            for (std::string part; split >> part;)
                words.push_back(part);
        } else {
            words.push_back(w);
        }
    }
    return words;
}

} // namespace

TEST_CASE("each packaged systemd unit is one systemd accepts without a word") {
    test::TempDir dir;
    for (const auto& [file, name] : kUnits) {
        CAPTURE(name);
        const auto unit = installed_unit(dir, file, name);
        auto r = test::run({"/usr/bin/systemd-analyze", "verify", unit.string()});
        INFO(r.err);
        CHECK(r.code == 0);
        CHECK(r.err.empty()); // an unknown or misspelt key is only a warning: none allowed
    }
}

TEST_CASE("the collector and the reports run hardened: systemd-analyze rates each unit's exposure under 2 (OK)") {
    test::TempDir dir;
    for (const auto& [file, name] : kUnits) {
        if (std::string(name) == "sayso-kiosk.service") continue; // a login session on tty1, by its nature
        CAPTURE(name);
        const auto unit = installed_unit(dir, file, name);
        auto r = test::run({"/usr/bin/systemd-analyze", "security", "--offline=true", "--no-pager", unit.string()});
        INFO(r.out, r.err);
        std::smatch m;
        REQUIRE(std::regex_search(r.out, m, std::regex(R"(Overall exposure level for [^:]+: ([0-9.]+))")));
        CHECK(std::stod(m[1]) < 2.0);
        const std::string text = test::read_file(unit);
        for (const char* key :
             {"User=sayso-collector\n", "StateDirectory=sayso-collector\n", "ProtectSystem=strict\n",
              "ProtectHome=yes\n", "PrivateTmp=yes\n", "NoNewPrivileges=yes\n",
              "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n", "SystemCallFilter=@system-service\n",
              "After=network-online.target postgresql.service\n"})
            CHECK_MESSAGE(text.find(key) != std::string::npos, key);
    }
}

TEST_CASE("the kiosk's unit runs the installed kiosk alone in cage, and brings it back if it stops") {
    const std::string text = test::read_file(kDebian / "sayso.sayso-kiosk.service");
    CHECK(text.find("ExecStart=/usr/bin/cage -d -- /usr/bin/sayso --fullscreen --packs /var/lib/sayso/surveys "
                    "--assets /usr/share/sayso/assets --db /var/lib/sayso/sayso.db") != std::string::npos);
    CHECK(text.find("User=sayso\n") != std::string::npos);
    CHECK(text.find("Restart=always") != std::string::npos);
}

TEST_CASE("the collector's and the reports' command lines, with the installed settings, start servers that answer") {
    // The settings as shipped, but for where the data lives and the port.
    test::TempDir dir;
    auto env = settings(kDebian / "collector.conf");
    CHECK(env.at("SAYSO_STORE") == "sqlite:/var/lib/sayso-collector/collector.db");
    CHECK(env.at("SAYSO_PACKS") == "/usr/share/sayso/surveys");
    const std::string store = "sqlite:" + (dir / "collector.db").string();
    env["SAYSO_STORE"] = store;
    env["SAYSO_KEYS"] = (dir / "keys.json").string();
    env["SAYSO_PACKS"] = (test::source_dir / "surveys").string();
    env["SAYSO_ASSETS"] = (test::source_dir / "assets").string();
    env["SAYSO_SERVE_LISTEN"] = env["SAYSO_REPORTS_LISTEN"] = "127.0.0.1:0";
    env["SAYSO_SERVE_OPTIONS"] = "--rate 0"; // and an option of one's own, split as systemd splits it
    REQUIRE(test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", env["SAYSO_KEYS"], "--id", "test"}).code == 0);
    for (const auto& [file, name] : {kUnits[1], kUnits[2]}) {
        CAPTURE(name);
        auto args = exec_start(kDebian / file, env);
        REQUIRE(args.at(0) == "/usr/bin/sayso-collector");
        args[0] = SAYSO_COLLECTOR;
        test::CollectorProcess server(args, store);
        httplib::Client http("127.0.0.1", server.port());
        auto res = http.Get(std::string(name) == "sayso-collector.service" ? "/v1/health" : "/health");
        REQUIRE(res);
        CHECK(res->status == 200);
    }
}
