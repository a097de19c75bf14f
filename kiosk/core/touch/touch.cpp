#include "touch/touch.hpp"

#include <algorithm>
#include <cmath>

namespace sayso::touch {

void Fingers::down(std::int64_t id, Point at, std::vector<Step>& out) {
    // A repeated id (its lift was lost): the new contact wins, and what the old one held is let go.
    for (const auto& f : down_)
        if (f.id == id && f.role == Role::Pointer) out.push_back({Step::Kind::Cancel, {}});
    std::erase_if(down_, [&](const Finger& f) { return f.id == id; });
    const bool only_palms =
        std::all_of(down_.begin(), down_.end(), [](const Finger& f) { return f.role == Role::Palm; });
    if (only_palms) {
        down_.push_back({id, at, at, Role::Pointer});
        out.push_back({Step::Kind::Down, at});
        return;
    }
    // A pointer already travelling (a stroke being drawn) keeps going: the newcomer is a hand landing.
    for (const auto& f : down_)
        if (f.role == Role::Pointer && std::hypot(f.at.x - f.from.x, f.at.y - f.from.y) >= kTravel) {
            down_.push_back({id, at, at, Role::Palm});
            return;
        }
    // Two undecided contacts: whatever the pointer held is let go without a press, and each is
    // measured from where it is now.
    for (auto& f : down_) {
        if (f.role == Role::Pointer) {
            out.push_back({Step::Kind::Cancel, {}});
            f.role = Role::Undecided;
            f.from = f.at;
        }
    }
    down_.push_back({id, at, at, Role::Undecided});
}

void Fingers::move(std::int64_t id, Point at, std::vector<Step>& out) {
    for (auto& f : down_) {
        if (f.id != id) continue;
        f.at = at;
        if (f.role == Role::Pointer) out.push_back({Step::Kind::Move, at});
        if (f.role != Role::Undecided || std::hypot(at.x - f.from.x, at.y - f.from.y) < kTravel) continue;
        // The one that travels is the hand at work; the rest rest.
        for (auto& other : down_)
            other.role = Role::Palm;
        f.role = Role::Pointer;
        out.push_back({Step::Kind::Down, f.from});
        out.push_back({Step::Kind::Move, at});
    }
}

void Fingers::up(std::int64_t id, Point at, std::vector<Step>& out) {
    const auto it = std::find_if(down_.begin(), down_.end(), [&](const Finger& f) { return f.id == id; });
    if (it == down_.end()) return; // a finger that was never seen going down
    const Finger f = *it;
    down_.erase(it);
    if (f.role == Role::Pointer) {
        out.push_back({Step::Kind::Up, at});
        out.push_back({Step::Kind::Away, {}});
    } else if (f.role == Role::Undecided) {
        // The first to lift of fingers down together was the tap; the rest rest.
        out.push_back({Step::Kind::Down, f.from});
        out.push_back({Step::Kind::Up, at});
        out.push_back({Step::Kind::Away, {}});
        for (auto& other : down_)
            other.role = Role::Palm;
    }
}

void Presses::showing(const std::string& view, flow::Millis now) {
    if (view == view_) return;
    view_ = view;
    view_since_ = now;
}

bool Presses::accept(const std::string& id, flow::Millis now, bool repeats) {
    if (now - view_since_ < kViewGuard) return false;
    if (!repeats && id == last_ && now - last_at_ < kSameGuard) return false;
    last_ = id;
    last_at_ = now;
    return true;
}

flow::Millis Presses::ready(const std::string& id) const {
    flow::Millis at = view_since_ + kViewGuard;
    if (id == last_) at = std::max(at, last_at_ + kSameGuard);
    return at;
}

} // namespace sayso::touch
