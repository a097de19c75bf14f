#include "recording/take.hpp"

#include <opusenc.h>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace sayso::recording {

std::string describe(const RecordingProblem& p) {
    return "the recording could not be kept: " + p.what;
}

namespace {
std::atomic<std::uint64_t> next_serial{1};
}

Take::Take(int max_seconds)
    : serial_(next_serial++),
      max_samples_(static_cast<std::size_t>(std::clamp(max_seconds, kMinSeconds, kMaxSeconds)) * kRate) {
    samples_.reserve(std::min<std::size_t>(max_samples_, std::size_t(kRate) * 10));
    comments_ = ope_comments_create();
    if (!comments_) {
        problem_ = "no memory for the Ogg Opus encoder";
        return;
    }
    const OpusEncCallbacks callbacks{&Take::write, &Take::close};
    int error = OPE_OK;
    enc_ = ope_encoder_create_callbacks(&callbacks, this, comments_, kRate, 1, 0, &error);
    if (!enc_) {
        fail("can't start the Ogg Opus encoder", error);
        return;
    }
    // Speech, at a rate that keeps a child's words clear and a minute small.
    if (int e = ope_encoder_ctl(enc_, OPUS_SET_BITRATE(kBitrate)); e != OPE_OK)
        fail("setting the bitrate", e);
    else if (int e2 = ope_encoder_ctl(enc_, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)); e2 != OPE_OK)
        fail("setting the signal to speech", e2);
    // Encode within a tenth of a second of hearing, not libopusenc's default two: what is left to
    // encode when the child taps stop is then a few milliseconds' work, not tens.
    else if (int e3 = ope_encoder_ctl(enc_, OPE_SET_DECISION_DELAY(kRate / 10)); e3 != OPE_OK)
        fail("setting the decision delay", e3);
}

Take::~Take() {
    if (enc_) ope_encoder_destroy(enc_);
    if (comments_) ope_comments_destroy(comments_);
}

void Take::fail(const std::string& what, int code) {
    problem_ = what + " (" + ope_strerror(code) + ")";
    if (enc_) ope_encoder_destroy(enc_);
    enc_ = nullptr;
}

int Take::write(void* self, const unsigned char* data, int len) {
    auto* t = static_cast<Take*>(self);
    try {
        t->ogg_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(len));
    } catch (const std::bad_alloc&) {
        return 1; // libopusenc: non-zero is a failed write
    }
    return 0;
}

int Take::close(void*) {
    return 0;
}

std::size_t Take::add(const std::int16_t* samples, std::size_t n) {
    if (!recording_ || n == 0) return 0;
    n = std::min(n, max_samples_ - samples_.size());
    try {
        samples_.insert(samples_.end(), samples, samples + n);
    } catch (const std::bad_alloc&) {
        problem_ = "no memory left to record into";
        stop(); // what was heard so far stays; keeping it says why it can't be kept
        return 0;
    }
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i)
        sum += double(samples[i]) * samples[i];
    // A speaking voice is around -20 dBFS; 4x brings it to the meter's middle.
    level_ = n ? static_cast<float>(std::min(1.0, 4.0 * std::sqrt(sum / static_cast<double>(n)) / 32768.0)) : 0.0f;
    if (enc_ && n) {
        if (int e = ope_encoder_write(enc_, samples, static_cast<int>(n)); e != OPE_OK)
            fail("encoding the recording", e);
    }
    if (full()) stop();
    return n;
}

void Take::stop() {
    if (!recording_) return;
    recording_ = false;
    level_ = 0;
    try {
        samples_.shrink_to_fit(); // a take of 80 s had room for 160
    } catch (const std::bad_alloc&) {
    }

    if (!enc_) return;
    if (samples_.empty()) {
        // Nothing to finish: no stream of no samples.
        ope_encoder_destroy(enc_);
        enc_ = nullptr;
        return;
    }
    if (int e = ope_encoder_drain(enc_); e != OPE_OK) {
        fail("finishing the recording", e);
        return;
    }
    ope_encoder_destroy(enc_);
    enc_ = nullptr;
}

int Take::seconds_left() const {
    const std::size_t left = max_samples_ - samples_.size();
    return static_cast<int>((left + kRate - 1) / kRate);
}

Result<std::string, RecordingProblem> Take::ogg() const {
    if (recording_) return RecordingProblem{"it is still being made"};
    if (!problem_.empty()) return RecordingProblem{problem_};
    if (samples_.empty()) return RecordingProblem{"nothing was recorded"};
    return ogg_;
}

} // namespace sayso::recording
