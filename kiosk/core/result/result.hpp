// One way to say "this worked, here is the value" or "this failed, here is
// why": Result<T, Problem> holds exactly one of the two. Every Problem type
// has a `describe(problem)` found by argument-dependent lookup that gives
// the failure in words a person can act on; `words()` calls it.
//
//   StoreResult<int> closed = store.close_abandoned();
//   if (!closed) log(closed.words());
//   else use(*closed);
//
// A function that gives nothing back on success returns Result<void, P>:
// `return {};` is success, `return problem;` is failure.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace sayso {

// Marks a problem as a failure where the value type could also take it.
template <class P> struct Failure { P problem; };
template <class P> Failure<std::decay_t<P>> fail(P&& problem) {
    return {std::forward<P>(problem)};
}

template <class T, class P> class [[nodiscard]] Result {
  public:
    using value_type = T;
    using problem_type = P;

    template <class U = T>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, P> &&
             !std::is_same_v<std::remove_cvref_t<U>, Result> && !std::is_same_v<std::remove_cvref_t<U>, Failure<P>>)
        Result(U&& value)
        : v_(std::in_place_index<0>, std::forward<U>(value)) {}
    Result(const P& problem) : v_(std::in_place_index<1>, problem) {}
    Result(P&& problem) : v_(std::in_place_index<1>, std::move(problem)) {}
    Result(Failure<P> f) : v_(std::in_place_index<1>, std::move(f.problem)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    template <class U = T> T value_or(U&& fallback) const& {
        return ok() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
    }
    template <class U = T> T value_or(U&& fallback) && {
        return ok() ? std::get<0>(std::move(v_)) : static_cast<T>(std::forward<U>(fallback));
    }

    const P& problem() const& {
        assert(!ok());
        return std::get<1>(v_);
    }
    P&& problem() && {
        assert(!ok());
        return std::get<1>(std::move(v_));
    }
    // The problem, or nothing when it worked.
    std::optional<P> problem_if_any() const { return ok() ? std::nullopt : std::optional<P>(std::get<1>(v_)); }
    // The failure in words; empty when it worked.
    std::string words() const {
        if (ok()) return {};
        return describe(std::get<1>(v_));
    }

  private:
    std::variant<T, P> v_;
};

template <class P> class [[nodiscard]] Result<void, P> {
  public:
    using value_type = void;
    using problem_type = P;

    Result() = default;
    Result(const P& problem) : problem_(problem) {}
    Result(P&& problem) : problem_(std::move(problem)) {}
    Result(Failure<P> f) : problem_(std::move(f.problem)) {}
    // Carries the problem of another result (whatever its value type).
    template <class T> static Result problem_of(const Result<T, P>& other) {
        return other.ok() ? Result() : Result(other.problem());
    }

    bool ok() const { return !problem_; }
    explicit operator bool() const { return ok(); }
    void value() const { assert(ok()); }

    const P& problem() const& {
        assert(!ok());
        return *problem_;
    }
    P&& problem() && {
        assert(!ok());
        return std::move(*problem_);
    }
    const std::optional<P>& problem_if_any() const { return problem_; }
    std::string words() const {
        if (ok()) return {};
        return describe(*problem_);
    }

  private:
    std::optional<P> problem_;
};

} // namespace sayso
