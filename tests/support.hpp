// Helpers shared by the tests: temporary folders, files, child processes.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace test {

namespace fs = std::filesystem;

inline const fs::path source_dir = SAYSO_SOURCE_DIR;
inline const fs::path default_pack = source_dir / "surveys" / "after-my-visit";

class TempDir {
  public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "sayso-test-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& s) const { return path_ / s; }

  private:
    fs::path path_;
};

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_file(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

// A copy of the default pack in `dir`, whose pack.json `edit` may change.
template <class Edit> fs::path copy_pack(const fs::path& dir, Edit&& edit) {
    fs::create_directories(dir.parent_path());
    fs::copy(default_pack, dir, fs::copy_options::recursive);
    auto j = nlohmann::json::parse(read_file(dir / "pack.json"));
    edit(j);
    write_file(dir / "pack.json", j.dump(2));
    return dir;
}
inline fs::path copy_pack(const fs::path& dir) {
    return copy_pack(dir, [](nlohmann::json&) {});
}

// The default pack's bands without the questions that take a child's own
// words as a clip (the drawing ending 4-7, the recording ending 8-11), and
// without the words a recording needs: for tests that put their own draw or
// voice questions where they want them, or count a pack's clips.
inline void without_own_words(nlohmann::json& j) {
    for (auto& b : j["bands"]) {
        auto& qs = b["questions"];
        for (auto q = qs.begin(); q != qs.end();)
            q = (*q)["kind"] == "draw" || (*q)["kind"] == "voice" ? qs.erase(q) : q + 1;
    }
    for (const char* w : {"record", "recording", "listen", "try_again", "no_microphone"})
        j["words"].erase(w);
}

// Gives a pack (as JSON) the words a voice question needs, in English.
inline void add_voice_words(nlohmann::json& j) {
    j["words"]["record"] = {{"en", "Tap the microphone and talk"}};
    j["words"]["recording"] = {{"en", "I'm listening. Tap the square when you're done"}};
    j["words"]["listen"] = {{"en", "Listen"}};
    j["words"]["try_again"] = {{"en", "Try again"}};
    j["words"]["no_microphone"] = {{"en", "This tablet can't hear you just now. You can skip this one."}};
}

// Reads CSV (RFC 4180: quoted cells, doubled quotes, CRLF or LF) into rows of cells.
inline std::vector<std::vector<std::string>> read_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                cell += text[++i];
            else if (c == '"')
                quoted = false;
            else
                cell += c;
        } else if (c == '"') {
            quoted = any = true;
        } else if (c == ',') {
            row.push_back(std::move(cell));
            cell.clear();
            any = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            row.push_back(std::move(cell));
            cell.clear();
            rows.push_back(std::move(row));
            row.clear();
            any = false;
        } else {
            cell += c;
            any = true;
        }
    }
    if (any) {
        row.push_back(std::move(cell));
        rows.push_back(std::move(row));
    }
    return rows;
}

// A CSV's rows as maps from heading to cell; throws if a row has more or fewer cells than the heading.
inline std::vector<std::map<std::string, std::string>> read_csv_table(const std::string& text) {
    auto rows = read_csv(text);
    std::vector<std::map<std::string, std::string>> out;
    if (rows.empty()) return out;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        if (rows[r].size() != rows[0].size())
            throw std::runtime_error("row " + std::to_string(r) + " has " + std::to_string(rows[r].size()) +
                                     " cells under " + std::to_string(rows[0].size()) + " headings");
        std::map<std::string, std::string> m;
        for (std::size_t c = 0; c < rows[0].size(); ++c)
            m[rows[0][c]] = rows[r][c];
        out.push_back(std::move(m));
    }
    return out;
}

struct Run {
    int code = -1;
    std::string out, err;
};

// Runs a program and waits for it; stdout and stderr are captured, and
// standard input is `input` (or empty).
inline Run run(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {},
               const std::string& input = "") {
    TempDir tmp;
    const auto out = tmp / "out", err = tmp / "err", in = tmp / "in";
    write_file(in, input);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e)
        env_store.emplace_back(*e);
    for (const auto& e : extra_env)
        env_store.push_back(e);
    std::vector<char*> envp;
    for (auto& e : env_store)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()) != 0)
        throw std::runtime_error("can't start " + args[0]);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    waitpid(pid, &status, 0);
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
}

} // namespace test
