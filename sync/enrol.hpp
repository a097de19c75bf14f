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

struct Enrolment {
    bool ok = false;
    std::string words;       // what happened, for the admin
    std::string device_name; // as the collector knows this tablet
    std::string token;
    std::vector<Config::SealKey> seal_keys;
};

// POST <endpoint>/v1/enrol. The endpoint is held to the settings file's rule:
// https, or plain http only to this machine. `ca_file` may be empty.
Enrolment enrol(const std::string& endpoint, const std::string& ca_file, const std::string& code,
                const std::string& device_id);

// The settings file after enrolment: every setting already in `file` (if it
// is there and is a JSON object) with the endpoint, token and keys replaced.
// Written beside and renamed over, readable by its owner alone.
std::optional<std::string> save_enrolment(const std::filesystem::path& file, const std::string& endpoint,
                                          const Enrolment& enrolment);

// Wipe: the settings file loses its token and keys (its endpoint and other
// settings stay, so the tablet can be enrolled again). The old file is
// overwritten before it is replaced.
std::optional<std::string> forget_enrolment(const std::filesystem::path& file);

// The settings as they are in `file`, for filling in the admin screen: its
// endpoint and CA file, even when it holds no token yet.
void read_endpoint(const std::filesystem::path& file, std::string& endpoint, std::string& ca_file);

} // namespace sayso::sync
