// Enrolment (PROTOCOL.md, "Enrolment"): the admin types a one-time code from
// `sayso-collector enrol NAME`; the tablet exchanges it over TLS for its
// device token and the collector's public keys, and keeps them in its
// delivery settings file.
#pragma once

#include "config.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sayso::sync {

// What enrolment gave: who the collector says this tablet is, its token and keys.
struct Enrolment {
    std::string endpoint;    // without a trailing slash
    std::string device_name; // as the collector knows this tablet
    std::string token;
    std::vector<Config::SealKey> seal_keys;
    std::string publish_key; // empty from a collector that does not publish
};
std::string describe(const Enrolment&); // "Enrolled as ... with ...", for the admin

// Why enrolment did not happen; nothing was changed.
struct EnrolProblem {
    enum class Kind {
        BadAddress,   // the endpoint is not https (or http to this machine), or the CA file can't be read
        Unreachable,  // no answer from the network
        Untrusted,    // the collector's certificate is not trusted
        CodeRefused,  // the code is unknown, used or expired
        TooManyTries, // the collector asks to wait
        NoCollector,  // something answered, but not a Sayso collector (HTTP 404)
        Failed,       // the collector could not enrol the tablet
        BadReply,     // the reply was not an enrolment
    };
    Kind kind = Kind::Failed;
    std::string endpoint;
    std::string detail; // the settings problem's words, or what the network or collector said
};
std::string describe(const EnrolProblem&);

// POST <endpoint>/v1/enrol. The endpoint is held to the settings file's rule:
// https, or plain http only to this machine. `ca_file` may be empty.
Result<Enrolment, EnrolProblem> enrol(const std::string& endpoint, const std::string& ca_file, const std::string& code,
                                      const std::string& device_id);

// The settings file after enrolment: every setting already in `file` (if it
// is there and is a JSON object) with the endpoint, token and keys replaced.
// Written beside and renamed over, readable by its owner alone.
SettingsResult<void> save_enrolment(const std::filesystem::path& file, const Enrolment& enrolment);

// Wipe: the settings file loses its token and keys (its endpoint and other
// settings stay, so the tablet can be enrolled again). The old file is
// overwritten before it is replaced.
SettingsResult<void> forget_enrolment(const std::filesystem::path& file);

// The settings as they are in `file`, for filling in the admin screen: its
// endpoint and CA file, even when it holds no token yet or does not pass
// its checks. Empty when there is no such file.
struct Endpoint {
    std::string endpoint, ca_file;
};
Endpoint read_endpoint(const std::filesystem::path& file);

} // namespace sayso::sync
