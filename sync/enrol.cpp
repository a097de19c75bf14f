#include "enrol.hpp"
#include "tasks/frame_guard.hpp"

#include "client.hpp"
#include "formats/base64.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace sayso::sync {

using nlohmann::json;

namespace {

json read_object(const std::filesystem::path& file) {
    tasks::blocking("reading the delivery settings file");
    std::ifstream in(file);
    if (!in) return json::object();
    std::ostringstream ss;
    ss << in.rdbuf();
    json j = json::parse(ss.str(), nullptr, false);
    return j.is_object() ? j : json::object();
}

std::optional<std::string> write_private(const std::filesystem::path& file, const std::string& text) {
    tasks::blocking("writing the delivery settings file");
    const std::string tmp = file.string() + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return "can't write " + tmp + ": " + std::strerror(errno);
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    std::error_code ec;
    if (!ok) {
        std::filesystem::remove(tmp, ec);
        return "can't write " + tmp + " (is the disk full?)";
    }
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        return "can't replace " + file.string() + ": " + ec.message();
    }
    return std::nullopt;
}

} // namespace

Enrolment enrol(const std::string& endpoint_in, const std::string& ca_file, const std::string& code,
                const std::string& device_id) {
    tasks::blocking("enrolling over the network");
    Enrolment e;
    std::string endpoint = endpoint_in;
    while (!endpoint.empty() && endpoint.back() == '/')
        endpoint.pop_back();
    // The same checks as a settings file: https, or http to this machine.
    std::string err;
    json probe = {{"endpoint", endpoint}};
    if (!ca_file.empty()) probe["ca_file"] = ca_file;
    auto conf = parse_config(probe.dump(), "the collector address", err);
    if (!conf) {
        e.words = err;
        return e;
    }
    conf->connect_timeout_seconds = 10;
    conf->timeout_seconds = 30;
    Http http(*conf);
    const auto r = http.post("/v1/enrol", json{{"code", code}, {"device_id", device_id}}.dump());
    using K = PostResult::Kind;
    switch (r.kind) {
    case K::Ok: break;
    case K::Unreachable:
        e.words = "Can't reach " + endpoint + " (" + r.detail + "). Check the address and the network.";
        return e;
    case K::Tls:
        e.words = "The collector's certificate isn't trusted, so nothing was sent (" + r.detail + ").";
        return e;
    case K::AuthRefused:
    case K::Revoked:
        e.words =
            "The collector refused this code: it is not known, was used already, or has expired. Ask for a new one.";
        return e;
    case K::RetryLater: e.words = "The collector asks to wait before trying again (too many tries)."; return e;
    default:
        e.words = r.status == 404 ? "There is no Sayso collector at " + endpoint + " (HTTP 404). Check the address."
                                  : "The collector could not enrol this tablet (" + r.detail + ").";
        return e;
    }
    const json j = json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j.contains("token") || !j["token"].is_string() || !j.contains("device_name") ||
        !j["device_name"].is_string() || !j.contains("seal_keys") || !j["seal_keys"].is_array()) {
        e.words = "The collector's reply was not an enrolment; nothing was changed.";
        return e;
    }
    // The reply goes through the settings file's own checks before it is kept.
    json settings = {{"endpoint", endpoint}, {"token", j["token"]}, {"seal_keys", j["seal_keys"]}};
    auto checked = parse_config(settings.dump(), "the collector's reply", err);
    if (!checked || checked->token.empty()) {
        e.words = checked ? "The collector's reply had no token; nothing was changed." : err;
        return e;
    }
    e.ok = true;
    e.device_name = j["device_name"].get<std::string>().substr(0, 100);
    e.token = checked->token;
    e.seal_keys = checked->seal_keys;
    e.words = "Enrolled as \"" + e.device_name + "\" with " + endpoint + ".";
    return e;
}

std::optional<std::string> save_enrolment(const std::filesystem::path& file, const std::string& endpoint,
                                          const Enrolment& enrolment) {
    json j = read_object(file);
    std::string ep = endpoint;
    while (!ep.empty() && ep.back() == '/')
        ep.pop_back();
    j["endpoint"] = ep;
    j["token"] = enrolment.token;
    json keys = json::array();
    for (const auto& k : enrolment.seal_keys)
        keys.push_back({{"id", k.id}, {"public_key", k.public_key}});
    j["seal_keys"] = keys;
    std::string err;
    if (!parse_config(j.dump(), file.string(), err)) return err;
    return write_private(file, j.dump(2) + "\n");
}

std::optional<std::string> forget_enrolment(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::nullopt;
    json j = read_object(file);
    j.erase("token");
    j.erase("seal_keys");
    // Overwrite the old bytes first: the token should not linger in the file's blocks.
    {
        const auto size = std::filesystem::file_size(file, ec);
        const int fd = ::open(file.c_str(), O_WRONLY);
        if (fd < 0) return "can't change " + file.string() + ": " + std::strerror(errno);
        const std::string zeros(ec ? 0 : size, '\0');
        const bool ok =
            ::write(fd, zeros.data(), zeros.size()) == static_cast<ssize_t>(zeros.size()) && ::fsync(fd) == 0;
        ::close(fd);
        if (!ok) return "can't overwrite " + file.string();
    }
    if (!j.contains("endpoint")) {
        std::filesystem::remove(file, ec);
        return ec ? std::optional<std::string>("can't remove " + file.string() + ": " + ec.message()) : std::nullopt;
    }
    return write_private(file, j.dump(2) + "\n");
}

void read_endpoint(const std::filesystem::path& file, std::string& endpoint, std::string& ca_file) {
    const json j = read_object(file);
    endpoint = j.value("endpoint", json("")).is_string() ? j.value("endpoint", "") : "";
    ca_file = j.value("ca_file", json("")).is_string() ? j.value("ca_file", "") : "";
}

} // namespace sayso::sync
