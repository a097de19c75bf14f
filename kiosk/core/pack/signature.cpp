#include "pack/signature.hpp"
#include "random/random.hpp"

#include "formats/base64.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cstring>
#include <fstream>
#include <map>

namespace sayso::pack {

namespace fs = std::filesystem;
using formats::from_base64;
using formats::to_base64;
using nlohmann::json;

namespace {

std::optional<std::string> sha256_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    char buf[1 << 16];
    while (in) {
        in.read(buf, sizeof buf);
        crypto_hash_sha256_update(&st, reinterpret_cast<unsigned char*>(buf),
                                  static_cast<unsigned long long>(in.gcount()));
    }
    if (in.bad()) return std::nullopt;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    return random::to_hex(h, sizeof h);
}

// Every file of the pack but its signature, by path relative to it ('/' separated).
std::map<std::string, std::string> digests(const fs::path& dir, std::vector<Problem>& problems) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const std::string rel = it->path().lexically_relative(dir).generic_string();
        if (rel == kSignatureFile) continue;
        std::error_code e2;
        if (it->is_symlink(e2)) {
            problems.push_back(
                {Problem::Severity::Error, (dir / rel).string(), "", "a link: a signed pack holds only its own files"});
            continue;
        }
        if (!it->is_regular_file(e2)) continue;
        if (auto h = sha256_file(it->path()))
            out[rel] = *h;
        else
            problems.push_back({Problem::Severity::Error, (dir / rel).string(), "", "can't be read"});
    }
    if (ec) problems.push_back({Problem::Severity::Error, dir.string(), "", "can't be listed: " + ec.message()});
    return out;
}

// The bytes that are signed: one line per file, in path order.
std::string manifest(const std::map<std::string, std::string>& files) {
    std::string m = "sayso-pack-signature 1\n";
    for (const auto& [path, hash] : files)
        m += hash + "  " + path + "\n";
    return m;
}

} // namespace

std::optional<KeyPair> make_keys() {
    if (sodium_init() < 0) return std::nullopt;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    KeyPair k{to_base64(pk, sizeof pk), to_base64(sk, sizeof sk)};
    sodium_memzero(sk, sizeof sk);
    return k;
}

std::string describe(const KeyProblem& p) {
    using K = KeyProblem::Kind;
    switch (p.kind) {
    case K::NoCrypto: return "libsodium could not start";
    case K::NotAKey: return p.where.empty() ? "that is not a secret signing key" : p.where + ": not a public key";
    case K::CantRead: return "can't read " + p.where;
    case K::CantWrite: return "can't write " + p.where;
    case K::NotAPack: return p.why;
    }
    return p.why;
}

KeyResult<void> sign_pack(const fs::path& dir, const std::string& secret_key) {
    using K = KeyProblem::Kind;
    if (sodium_init() < 0) return KeyProblem{K::NoCrypto};
    std::vector<unsigned char> sk;
    if (!from_base64(secret_key, sk, crypto_sign_SECRETKEYBYTES)) return KeyProblem{K::NotAKey};
    std::vector<Problem> problems;
    const auto files = digests(dir, problems);
    if (!problems.empty()) return KeyProblem{.kind = K::NotAPack, .why = problems.front().str()};
    if (!files.count("pack.json")) return KeyProblem{.kind = K::NotAPack, .why = dir.string() + " has no pack.json"};
    const std::string m = manifest(files);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(m.data()), m.size(), sk.data());
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(pk, sk.data());
    sodium_memzero(sk.data(), sk.size());
    json j = {
        {"format", 1}, {"key", to_base64(pk, sizeof pk)}, {"files", files}, {"signature", to_base64(sig, sizeof sig)}};
    std::ofstream out(dir / kSignatureFile, std::ios::binary | std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) return KeyProblem{.kind = K::CantWrite, .where = (dir / kSignatureFile).string()};
    return {};
}

KeyResult<std::vector<std::string>> read_trusted_keys(const fs::path& file) {
    std::ifstream in(file);
    if (!in) return KeyProblem{.kind = KeyProblem::Kind::CantRead, .where = file.string()};
    std::vector<std::string> keys;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
            line.pop_back();
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
            line.erase(0, 1);
        if (line.empty()) continue;
        std::vector<unsigned char> pk;
        if (!from_base64(line, pk, crypto_sign_PUBLICKEYBYTES))
            return KeyProblem{.kind = KeyProblem::Kind::NotAKey, .where = file.string() + " line " + std::to_string(n)};
        keys.push_back(line);
    }
    return keys;
}

std::vector<Problem> check_signature(const fs::path& dir, const Trust& trust) {
    std::vector<Problem> problems;
    const std::string sig_file = (dir / kSignatureFile).string();
    auto error = [&](const std::string& file, const std::string& msg) {
        problems.push_back({Problem::Severity::Error, file, "", msg});
        return problems;
    };
    std::error_code ec;
    if (!fs::exists(dir / kSignatureFile, ec)) {
        if (trust.allow_unsigned) return problems;
        return error(sig_file, "the pack is not signed; this kiosk installs only packs signed by a key it trusts "
                               "(sayso-admin sign)");
    }
    if (sodium_init() < 0) return error(sig_file, "libsodium could not start");
    json j;
    try {
        std::ifstream in(dir / kSignatureFile);
        j = json::parse(in);
    } catch (const std::exception&) {
        return error(sig_file, "is not a readable signature");
    }
    if (!j.is_object() || !j.contains("key") || !j["key"].is_string() || !j.contains("signature") ||
        !j["signature"].is_string() || !j.contains("files") || !j["files"].is_object())
        return error(sig_file, "is not a readable signature");
    const std::string key = j["key"].get<std::string>();
    std::vector<unsigned char> pk, sig;
    if (!from_base64(key, pk, crypto_sign_PUBLICKEYBYTES) || !from_base64(j["signature"], sig, crypto_sign_BYTES))
        return error(sig_file, "is not a readable signature");
    if (std::find(trust.keys.begin(), trust.keys.end(), key) == trust.keys.end())
        return error(sig_file, "signed by a key this kiosk does not trust (" + key + ")");
    std::map<std::string, std::string> listed;
    for (auto it = j["files"].begin(); it != j["files"].end(); ++it) {
        if (!it->is_string()) return error(sig_file, "is not a readable signature");
        listed[it.key()] = it->get<std::string>();
    }
    const std::string m = manifest(listed);
    if (crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(m.data()), m.size(),
                                    pk.data()) != 0)
        return error(sig_file, "the signature does not match its list of files: the signature itself was altered");
    // The list is genuine: now every file must be as it was signed.
    const auto now = digests(dir, problems);
    for (const auto& [path, hash] : listed) {
        auto it = now.find(path);
        if (it == now.end())
            error((dir / path).string(), "was removed after the pack was signed");
        else if (it->second != hash)
            error((dir / path).string(), "was changed after the pack was signed");
    }
    for (const auto& [path, _] : now)
        if (!listed.count(path)) error((dir / path).string(), "was added after the pack was signed");
    return problems;
}

} // namespace sayso::pack
