#include "flow/record.hpp"

#include "random/random.hpp"

namespace sayso::flow {

std::string describe(const StorageProblem& p) {
    switch (p.kind) {
    case StorageProblem::Kind::Locked:
        return "Answers can't be saved: another program is using the answers file. Close it, then try again.";
    case StorageProblem::Kind::ReadOnly:
        return "Answers can't be saved: the answers file is read-only. Ask your admin to check the tablet.";
    case StorageProblem::Kind::Corrupt:
        return "Answers can't be saved: the answers file is damaged. Ask your admin before going on; don't wipe it.";
    case StorageProblem::Kind::DiskFull:
        return "Answers can't be saved: the tablet's storage is full. Ask your admin to free some space.";
    case StorageProblem::Kind::TooNew:
        return "Answers can't be saved: the answers file was made by a newer Sayso. Update this tablet's Sayso.";
    case StorageProblem::Kind::CannotOpen:
        return "Answers can't be saved: the answers file can't be opened. Ask your admin to check the tablet.";
    case StorageProblem::Kind::BadSealKey:
        return "Answers can't be kept safe: the collector's key on this tablet is not a key. Ask your admin to enrol"
               " the tablet again.";
    case StorageProblem::Kind::Other: break;
    }
    return "Answers can't be saved right now. Ask your admin to check the tablet.";
}

std::string random_id() {
    return random::random_hex(16);
}

} // namespace sayso::flow
