// The delivery client's owner: starts it from the settings file, stops it
// (before a wipe, or to start again after an enrolment), and turns its
// state into what the screens show and what the log keeps.
#pragma once

#include "client.hpp"
#include "screens/intents.hpp"
#include "storage/store.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sayso::ui {

// What the delivery settings come to: the client to start, or why not, and
// what to log. Read by prepare_delivery on any thread.
struct DeliveryStart {
    std::optional<sync::Config> config; // set: start the client with it
    std::string problem;                // the settings file has a mistake
    std::vector<std::string> log;
    std::shared_ptr<const protocol::WeDidList> we_did; // "you said, we did" as kept from the last look
};

// Reads the settings file and sets the store's seal key (slow: a task, or before the first frame).
DeliveryStart prepare_delivery(const std::optional<std::filesystem::path>& settings, storage::Store* store);

class Delivery {
  public:
    // `clock` (the kiosk's: the replay's moves with its script) marks what is
    // delivered and counts retention; it must outlive the client.
    Delivery(std::filesystem::path db, const flow::Clock& clock) : db_(std::move(db)), clock_(clock) {}

    // Starts the client when the settings allow; logs what they said.
    void start(DeliveryStart start);
    // Hands the running client over to be stopped elsewhere (a wipe stops it
    // off the frame, as its thread may be in the middle of a request).
    std::shared_ptr<sync::Client> take() { return std::shared_ptr<sync::Client>(std::move(client_)); }
    bool running() const { return client_ != nullptr; }
    void wake() {
        if (client_) client_->wake();
    }
    std::optional<sync::Status> status() const;
    // Why delivery is off when it is not running: bad settings (or empty: not set up).
    const std::string& problem() const { return problem_; }
    // The state in the screens' terms, null when not running; changes in
    // its problems are logged for whoever looks after the tablet.
    std::optional<DeliveryView> view();
    // "You said, we did" for the welcome screen: the newest list fetched, or
    // the one kept from before; null when there is none.
    std::shared_ptr<const protocol::WeDidList> we_did() const;

  private:
    std::filesystem::path db_;
    const flow::Clock& clock_;
    std::unique_ptr<sync::Client> client_; // null: not running, and problem_ says why
    std::string problem_;
    sync::Status::Problem logged_problem_ = sync::Status::Problem::None;
    std::int64_t logged_refused_ = 0;
    std::string logged_we_did_problem_;
    std::shared_ptr<const protocol::WeDidList> kept_we_did_;
};

} // namespace sayso::ui
