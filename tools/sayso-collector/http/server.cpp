#include "server.hpp"

#include <algorithm>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

namespace sayso::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kLinger = std::chrono::seconds(2); // reading what a refused client still sends, so it sees the reply
constexpr std::size_t kLingerBytes = 1u << 20;

const char* default_words(int status) {
    switch (status) {
    case 400: return "the request can't be read";
    case 404: return "there is nothing here";
    case 405: return "this address does not take that method";
    case 408: return "the request took too long to arrive";
    case 413: return "the request body is larger than this server accepts";
    case 431: return "the request's header is larger than this server accepts";
    case 503: return "too many connections from this address; try again shortly";
    default: return "the request could not be handled";
    }
}

// A parse error the client should be told of (not a close or a cut-off message).
bool bad_framing(const boost::system::error_code& ec) {
    return ec.category() == boost::beast::http::make_error_code(boost::beast::http::error::bad_method).category() &&
           ec != boost::beast::http::error::end_of_stream && ec != boost::beast::http::error::partial_message;
}

// No header value may end the header early: CR and LF are dropped.
std::string header_safe(const std::string& v) {
    std::string out;
    for (char c : v)
        if (c != '\r' && c != '\n' && c != '\0') out += c;
    return out;
}

} // namespace

struct Server::Impl {
    explicit Impl(Limits l)
        : limits(l), ioc(std::max(1, l.io_threads)), workers(static_cast<std::size_t>(std::max(1, l.workers))),
          heavy_workers(static_cast<std::size_t>(std::max(1, l.heavy_workers))) {}

    // What connections use is declared before the io_context, so it outlives
    // the connections the io_context's destructor ends.
    Limits limits;
    std::vector<Route> routes;
    std::function<void(int, const std::string&, Response&)> error_fn;
    std::function<void(const Request&, Response&)> after_fn;
    std::optional<net::ssl::context> ssl;
    bool ssl_ok = true;
    std::mutex count_mu;
    std::size_t open = 0;
    std::map<std::string, std::size_t> by_address;

    net::io_context ioc;
    tcp::acceptor acceptor{ioc};
    net::steady_timer retry{ioc};
    net::thread_pool workers;
    net::thread_pool heavy_workers;

    void error(int status, const std::string& words, Response& res) {
        res = Response{};
        res.status = status;
        if (error_fn)
            error_fn(status, words, res);
        else
            res.set_content(words + "\n", "text/plain; charset=utf-8");
    }

    // A connection's place in the counts, given back when the connection ends.
    struct Ticket {
        Impl* impl = nullptr;
        std::string address;
        Ticket(Impl* i, std::string a) : impl(i), address(std::move(a)) {}
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        ~Ticket() {
            std::lock_guard lock(impl->count_mu);
            --impl->open;
            if (--impl->by_address[address] == 0) impl->by_address.erase(address);
        }
    };

    void accept();
    void admit(tcp::socket socket);
};

namespace {

template <class Stream> class Session : public std::enable_shared_from_this<Session<Stream>> {
  public:
    static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

    template <class... Args>
    Session(Server::Impl& srv, std::unique_ptr<Server::Impl::Ticket> ticket, PeerAddress peer, Args&&... args)
        : srv_(srv), ticket_(std::move(ticket)), peer_(std::move(peer)), stream_(std::forward<Args>(args)...),
          // Bounded, so chunk extensions and trailers (which no body limit counts) can't grow it: 400 instead.
          buffer_(srv.limits.header_bytes + 64 * 1024) {}

    void start() {
        if constexpr (kTls) {
            lowest().expires_after(srv_.limits.header_time);
            stream_.async_handshake(net::ssl::stream_base::server,
                                    [self = this->shared_from_this()](beast::error_code ec) {
                                        if (!ec) self->read_next();
                                    });
        } else {
            read_next();
        }
    }

  private:
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

    void read_next() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(srv_.limits.header_bytes));
        parser_->body_limit(boost::none); // the route's limit is set once the header says which route
        req_ = Request{};
        res_ = Response{};
        route_ = nullptr;
        head_ = false;
        lowest().expires_after(srv_.limits.header_time);
        bhttp::async_read_header(
            stream_, buffer_, *parser_,
            [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec) {
            if (ec == bhttp::error::header_limit) return refuse(431, default_words(431));
            if (bad_framing(ec)) return refuse(400, std::string("the request can't be read: ") + ec.message());
            return; // closed, timed out (the timer closed the socket) or reset: nothing to answer
        }
        const auto& h = parser_->get();
        req_.method = std::string(h.method_string());
        req_.target = std::string(h.target());
        const auto q = req_.target.find('?');
        req_.path = req_.target.substr(0, q);
        if (q != std::string::npos) req_.query = parse_params(std::string_view(req_.target).substr(q + 1));
        for (const auto& f : h)
            req_.headers.emplace_back(lower(f.name_string()), std::string(f.value()));
        req_.remote_addr = peer_.address;
        req_.remote_key = peer_.key;
        believe_proxy();

        // HEAD is GET without the body.
        head_ = req_.method == "HEAD";
        std::string allow;
        for (const auto& r : srv_.routes)
            if (r.path == req_.path) {
                allow += (allow.empty() ? "" : ", ") + r.method + (r.method == "GET" && r.head ? ", HEAD" : "");
                if (r.method == req_.method || (head_ && r.method == "GET" && r.head)) route_ = &r;
            }
        if (!route_ && allow.empty()) return refuse(404, default_words(404));
        if (!route_) {
            srv_.error(405, default_words(405), res_);
            res_.set_header("Allow", allow);
            return send(true);
        }
        // The gate first: a stranger is told 401 whatever the size they claim.
        if (!route_->gate) return continue_body();
        work([this](Request& req, Response& res) { return route_->gate(req, res); },
             [this](bool go) {
                 if (go)
                     continue_body();
                 else
                     send(true);
             },
             false);
    }

    void continue_body() {
        if (const auto n = parser_->content_length(); n && *n > route_->max_body)
            return refuse(413, default_words(413));
        if (parser_->is_done()) return on_body({});
        parser_->body_limit(route_->max_body);
        // A chunked body's size is not known: room for the largest it may be,
        // reserved once, so it is never copied as it grows (which would hold
        // twice its size at the end). The pages are taken only as it arrives.
        if (!parser_->content_length()) parser_->get().body().reserve(route_->max_body);
        if (iequals(req_.header("expect"), "100-continue") && parser_->get().version() == 11) {
            auto go = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
            lowest().expires_after(srv_.limits.write_time);
            return bhttp::async_write(stream_, *go,
                                      [self = this->shared_from_this(), go](beast::error_code ec, std::size_t) {
                                          if (!ec) self->read_body();
                                      });
        }
        read_body();
    }

    void read_body() {
        lowest().expires_after(srv_.limits.body_time);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
    }

    void on_body(beast::error_code ec) {
        if (ec) {
            if (ec == bhttp::error::body_limit) return refuse(413, default_words(413));
            if (bad_framing(ec)) return refuse(400, std::string("the request body can't be read: ") + ec.message());
            return;
        }
        req_.body = std::move(parser_->get().body());
        if (req_.header("content-type").rfind("application/x-www-form-urlencoded", 0) == 0)
            req_.form = parse_params(req_.body);
        work(
            [this](Request& req, Response& res) {
                route_->handler(req, res);
                return true;
            },
            [this](bool) { send(!parser_->keep_alive()); }, route_->heavy);
    }

    // Runs `job` on a worker thread (a handler may wait on a store or a
    // password hash), then `then` back on this connection's thread.
    // `heavy`: a password hash, on its own pool.
    template <class Job, class Then> void work(Job job, Then then, bool heavy) {
        auto& pool = heavy ? srv_.heavy_workers : srv_.workers;
        net::post(pool, [self = this->shared_from_this(), job, then]() mutable {
            bool result = false;
            try {
                result = job(self->req_, self->res_);
            } catch (...) {
                self->srv_.error(500, default_words(500), self->res_);
            }
            auto at = self->lowest().get_executor();
            net::post(at, [self = std::move(self), then = std::move(then), result]() mutable { then(result); });
        });
    }

    // Answers and closes without reading more of the request.
    void refuse(int status, const std::string& words) {
        srv_.error(status, words, res_);
        send(true);
    }

    void send(bool close) {
        // Whatever of the body was not read, the connection can't be used again.
        if (!parser_ || !parser_->is_done()) close = true;
        if (srv_.after_fn) srv_.after_fn(req_, res_);
        auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
        // An HTTP/1.0 client is answered in 1.0, so a kept-alive connection says so.
        const unsigned version = parser_ && parser_->is_header_done() && parser_->get().version() == 10 ? 10 : 11;
        msg->version(version);
        try {
            // A header value no browser should get (too long, or with a control
            // byte) is a fault here, answered 500, never sent changed.
            for (const auto& [k, v] : res_.headers)
                if (v.size() > 8192 || header_safe(v) != v || header_safe(k) != k) throw std::length_error("header");
            msg->result(static_cast<unsigned>(res_.status >= 100 && res_.status <= 599 ? res_.status : 500));
            for (const auto& [k, v] : res_.headers)
                msg->insert(k, v);
        } catch (...) {
            srv_.error(500, default_words(500), res_);
            msg = std::make_shared<bhttp::response<bhttp::string_body>>();
            msg->version(version);
            msg->result(500);
            msg->set(bhttp::field::content_type, "text/plain; charset=utf-8");
            close = true;
        }
        const std::size_t length = res_.body.size();
        if (!head_) msg->body() = std::move(res_.body);
        msg->keep_alive(!close);
        msg->prepare_payload();
        if (head_) msg->content_length(length);
        lowest().expires_after(srv_.limits.write_time);
        bhttp::async_write(stream_, *msg,
                           [self = this->shared_from_this(), msg, close](beast::error_code ec, std::size_t) {
                               if (ec) return;
                               if (close)
                                   self->linger();
                               else
                                   self->read_next();
                           });
    }

    // Closes so that the client reads the reply: stop sending, then read and
    // drop what it still sends, for a moment and a megabyte at most.
    void linger() {
        lowest().expires_after(kLinger);
        if constexpr (kTls) {
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
                beast::error_code ignored;
                self->lowest().socket().close(ignored);
            });
        } else {
            beast::error_code ignored;
            lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
            drain();
        }
    }

    void drain() {
        if (!scratch_) scratch_ = std::make_unique<std::array<char, 16 * 1024>>();
        lowest().async_read_some(net::buffer(*scratch_),
                                 [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                                     self->drained_ += n;
                                     if (ec || self->drained_ > kLingerBytes) {
                                         beast::error_code ignored;
                                         self->lowest().socket().close(ignored);
                                         return;
                                     }
                                     self->drain();
                                 });
    }

    static std::string lower(std::string_view s) {
        std::string out(s);
        for (char& c : out)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return out;
    }

    Server::Impl& srv_;
    std::unique_ptr<Server::Impl::Ticket> ticket_;
    // From a trusted proxy: the client it served is the last address in its
    // X-Forwarded-For (what came before was written by the client, and is
    // never believed), and X-Forwarded-Proto says whether that was HTTPS.
    void believe_proxy() {
        const auto& trusted = srv_.limits.trusted_proxies;
        if (std::find(trusted.begin(), trusted.end(), peer_.address) == trusted.end()) return;
        std::string forwarded, proto;
        for (const auto& [name, value] : req_.headers) {
            if (name == "x-forwarded-for") forwarded = value; // the last such header, as the proxy added
            if (name == "x-forwarded-proto") proto = value;
        }
        const auto comma = forwarded.rfind(',');
        std::string last = forwarded.substr(comma == std::string::npos ? 0 : comma + 1);
        const auto first = last.find_first_not_of(" \t"), end = last.find_last_not_of(" \t");
        last = first == std::string::npos ? "" : last.substr(first, end - first + 1);
        beast::error_code ec;
        const auto client = net::ip::make_address(last, ec);
        if (!ec) {
            const PeerAddress p = peer_address(client.to_string());
            req_.remote_addr = p.address;
            req_.remote_key = p.key;
        }
        req_.forwarded_https = iequals(proto, "https");
    }

    PeerAddress peer_;
    bool head_ = false;
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    Request req_;
    Response res_;
    const Route* route_ = nullptr;
    std::unique_ptr<std::array<char, 16 * 1024>> scratch_; // only while lingering
    std::size_t drained_ = 0;
};

} // namespace

void Server::Impl::accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (!acceptor.is_open()) return;
        if (ec) {
            // Out of file descriptors, say: wait a moment rather than spin.
            retry.expires_after(std::chrono::milliseconds(50));
            retry.async_wait([this](beast::error_code) { accept(); });
            return;
        }
        admit(std::move(socket));
        accept();
    });
}

void Server::Impl::admit(tcp::socket socket) {
    beast::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec) return;
    socket.set_option(tcp::no_delay(true), ec); // a reply goes out whole, now, not after 40 ms
    PeerAddress from = peer_address(peer.address().to_string());
    const std::string& address = from.key;
    {
        std::lock_guard lock(count_mu);
        if (open >= limits.max_connections) return; // closed as `socket` goes
        if (auto n = by_address.find(address); n != by_address.end() && n->second >= limits.per_address) {
            // Said in one best-effort write, without waiting on this client.
            if (!ssl) {
                Response res;
                error(503, default_words(503), res);
                std::string head = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n";
                if (res.header("Retry-After").empty()) head += "Retry-After: 5\r\n";
                for (const auto& [k, v] : res.headers)
                    head += header_safe(k) + ": " + header_safe(v) + "\r\n";
                head += "Content-Length: " + std::to_string(res.body.size()) + "\r\n\r\n" + res.body;
                socket.non_blocking(true, ec);
                socket.write_some(net::buffer(head), ec);
            }
            return;
        }
        ++open;
        ++by_address[address];
    }
    auto ticket = std::make_unique<Ticket>(this, address);
    if (ssl) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(ticket), std::move(from),
                                                                        std::move(socket), *ssl)
            ->start();
    } else {
        std::make_shared<Session<beast::tcp_stream>>(*this, std::move(ticket), std::move(from), std::move(socket))
            ->start();
    }
}

Server::Server(Limits limits, std::string cert_file, std::string key_file) : impl_(std::make_unique<Impl>(limits)) {
    if (!cert_file.empty() && !key_file.empty()) {
        impl_->ssl.emplace(net::ssl::context::tls_server);
        auto& ctx = *impl_->ssl;
        beast::error_code ec;
        ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                            net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                            net::ssl::context::single_dh_use,
                        ec);
        ctx.use_certificate_chain_file(cert_file, ec);
        if (!ec) ctx.use_private_key_file(key_file, net::ssl::context::pem, ec);
        impl_->ssl_ok = !ec;
    }
}

Server::~Server() {
    impl_->ioc.stop();
    impl_->workers.join();
    impl_->heavy_workers.join();
}

void Server::route(Route r) {
    impl_->routes.push_back(std::move(r));
}

void Server::on_error(std::function<void(int, const std::string&, Response&)> f) {
    impl_->error_fn = std::move(f);
}

void Server::after(std::function<void(const Request&, Response&)> f) {
    impl_->after_fn = std::move(f);
}

bool Server::tls() const {
    return impl_->ssl.has_value();
}

int Server::bind(const std::string& host, int port) {
    if (!impl_->ssl_ok) return -1;
    beast::error_code ec;
    tcp::resolver resolver(impl_->ioc);
    const auto found = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
    if (ec || found.empty()) return -1;
    const tcp::endpoint at = found.begin()->endpoint();
    auto& a = impl_->acceptor;
    a.open(at.protocol(), ec);
    if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(at, ec);
    if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        beast::error_code ignored;
        a.close(ignored);
        return -1;
    }
    return a.local_endpoint().port();
}

bool Server::serve() {
    if (!impl_->acceptor.is_open()) return false;
    impl_->accept();
    // A fault in one connection's handling ends that connection, never the server.
    auto run = [this] {
        for (;;) {
            try {
                impl_->ioc.run();
                break;
            } catch (const std::exception& e) {
                std::fprintf(stderr, "sayso-collector: a connection failed: %s\n", e.what());
            } catch (...) {
                std::fprintf(stderr, "sayso-collector: a connection failed\n");
            }
        }
    };
    // Each connection keeps to its own strand, so more threads only share the work.
    std::vector<std::thread> more;
    for (int i = 1; i < impl_->limits.io_threads; ++i)
        more.emplace_back(run);
    run();
    for (auto& t : more)
        t.join();
    impl_->workers.join();
    impl_->heavy_workers.join();
    return true;
}

void Server::stop() {
    impl_->ioc.stop();
}

} // namespace sayso::http
