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

SettingsProblem cant_write(const std::filesystem::path& file, const std::string& why) {
    return {.kind = SettingsProblem::Kind::CantWrite, .source = file.string(), .why = why};
}

SettingsResult<void> write_private(const std::filesystem::path& file, const std::string& text) {
    tasks::blocking("writing the delivery settings file");
    const std::string tmp = file.string() + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return cant_write(file, "can't write " + tmp + ": " + std::strerror(errno));
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    std::error_code ec;
    if (!ok) {
        std::filesystem::remove(tmp, ec);
        return cant_write(file, "can't write " + tmp + " (is the disk full?)");
    }
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
        const std::string why = "can't replace " + file.string() + ": " + ec.message();
        std::filesystem::remove(tmp, ec);
        return cant_write(file, why);
    }
    return {};
}

std::string without_trailing_slash(std::string endpoint) {
    while (!endpoint.empty() && endpoint.back() == '/')
        endpoint.pop_back();
    return endpoint;
}

} // namespace

std::string describe(const Enrolment& e) {
    return "Enrolled as \"" + e.device_name + "\" with " + e.endpoint + ".";
}

std::string describe(const EnrolProblem& p) {
    using K = EnrolProblem::Kind;
    switch (p.kind) {
    case K::BadAddress: return p.detail;
    case K::Unreachable: return "Can't reach " + p.endpoint + " (" + p.detail + "). Check the address and the network.";
    case K::Untrusted: return "The collector's certificate isn't trusted, so nothing was sent (" + p.detail + ").";
    case K::CodeRefused:
        return "The collector refused this code: it is not known, was used already, or has expired. Ask for a new one.";
    case K::TooManyTries: return "The collector asks to wait before trying again (too many tries).";
    case K::NoCollector: return "There is no Sayso collector at " + p.endpoint + " (HTTP 404). Check the address.";
    case K::Failed: break;
    case K::BadReply:
        return p.detail.empty() ? "The collector's reply was not an enrolment; nothing was changed." : p.detail;
    }
    return p.detail.empty() ? "The collector could not enrol this tablet."
                            : "The collector could not enrol this tablet (" + p.detail + ").";
}

Result<Enrolment, EnrolProblem> enrol(const std::string& endpoint_in, const std::string& ca_file,
                                      const std::string& code, const std::string& device_id) {
    tasks::blocking("enrolling over the network");
    const std::string endpoint = without_trailing_slash(endpoint_in);
    auto problem = [&](EnrolProblem::Kind kind, std::string detail = {}) {
        return EnrolProblem{.kind = kind, .endpoint = endpoint, .detail = std::move(detail)};
    };
    // The same checks as a settings file: https, or http to this machine.
    json probe = {{"endpoint", endpoint}};
    if (!ca_file.empty()) probe["ca_file"] = ca_file;
    auto conf = parse_config(probe.dump(), "the collector address");
    if (!conf) return problem(EnrolProblem::Kind::BadAddress, conf.words());
    conf->connect_timeout_seconds = 10;
    conf->timeout_seconds = 30;
    Http http(*conf);
    const auto r = http.post("/v1/enrol", protocol::write_enrol_request({.code = code, .device_id = device_id}));
    using K = PostResult::Kind;
    switch (r.kind) {
    case K::Ok: break;
    case K::Unreachable: return problem(EnrolProblem::Kind::Unreachable, r.detail);
    case K::Tls: return problem(EnrolProblem::Kind::Untrusted, r.detail);
    case K::AuthRefused:
    case K::Revoked: return problem(EnrolProblem::Kind::CodeRefused, r.detail);
    case K::RetryLater: return problem(EnrolProblem::Kind::TooManyTries, r.detail);
    default: return problem(r.status == 404 ? EnrolProblem::Kind::NoCollector : EnrolProblem::Kind::Failed, r.detail);
    }
    const auto reply = protocol::read_enrol_reply(r.body);
    if (!reply) return problem(EnrolProblem::Kind::BadReply); // "not an enrolment; nothing was changed"
    // The reply goes through the settings file's own checks before it is kept.
    json keys = json::array();
    for (const auto& k : reply->seal_keys)
        keys.push_back({{"id", k.id}, {"public_key", k.public_key}});
    json settings = {{"endpoint", endpoint}, {"token", reply->token}, {"seal_keys", std::move(keys)}};
    if (!reply->publish_key.empty()) settings["publish_key"] = reply->publish_key;
    auto checked = parse_config(protocol::dump(settings), "the collector's reply");
    if (!checked) return problem(EnrolProblem::Kind::BadReply, checked.words());
    if (checked->token.empty())
        return problem(EnrolProblem::Kind::BadReply, "The collector's reply had no token; nothing was changed.");
    return Enrolment{.endpoint = endpoint,
                     .device_name = reply->device_name,
                     .token = checked->token,
                     .seal_keys = checked->seal_keys,
                     .publish_key = checked->publish_key};
}

SettingsResult<void> save_enrolment(const std::filesystem::path& file, const Enrolment& enrolment) {
    json j = read_object(file);
    j["endpoint"] = without_trailing_slash(enrolment.endpoint);
    j["token"] = enrolment.token;
    json keys = json::array();
    for (const auto& k : enrolment.seal_keys)
        keys.push_back({{"id", k.id}, {"public_key", k.public_key}});
    j["seal_keys"] = keys;
    // A collector that does not publish leaves none: an old key would check nothing of this one's.
    if (enrolment.publish_key.empty())
        j.erase("publish_key");
    else
        j["publish_key"] = enrolment.publish_key;
    if (auto checked = parse_config(j.dump(), file.string()); !checked) return checked.problem();
    return write_private(file, j.dump(2) + "\n");
}

SettingsResult<void> forget_enrolment(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return {};
    json j = read_object(file);
    j.erase("token");
    j.erase("seal_keys");
    j.erase("publish_key");
    // Overwrite the old bytes first: the token should not linger in the file's blocks.
    {
        const auto size = std::filesystem::file_size(file, ec);
        const int fd = ::open(file.c_str(), O_WRONLY);
        if (fd < 0) return cant_write(file, "can't change " + file.string() + ": " + std::strerror(errno));
        const std::string zeros(ec ? 0 : size, '\0');
        const bool ok =
            ::write(fd, zeros.data(), zeros.size()) == static_cast<ssize_t>(zeros.size()) && ::fsync(fd) == 0;
        ::close(fd);
        if (!ok) return cant_write(file, "can't overwrite " + file.string());
    }
    if (!j.contains("endpoint")) {
        std::filesystem::remove(file, ec);
        if (ec) return cant_write(file, "can't remove " + file.string() + ": " + ec.message());
        return {};
    }
    return write_private(file, j.dump(2) + "\n");
}

Endpoint read_endpoint(const std::filesystem::path& file) {
    const json j = read_object(file);
    auto text = [&](const char* key) {
        const auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    return {.endpoint = text("endpoint"), .ca_file = text("ca_file")};
}

} // namespace sayso::sync
