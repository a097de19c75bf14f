// A TCP proxy between the kiosk's sync and the collector that misbehaves on
// purpose for its first few requests, then passes everything through.
#pragma once

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace test {

class FaultProxy {
  public:
    enum class Fault {
        None,
        DropAfterForward, // the server got and committed the request; the client gets no reply
        Status500,        // the proxy answers 500 itself
        Status503,        // the proxy answers 503 with Retry-After: 1
        Stall,            // read the request, then say nothing until the client gives up
        TruncateReply,    // forward, then send only half of the server's reply
    };

    FaultProxy(int upstream_port, Fault fault, int how_many)
        : upstream_(upstream_port), fault_(fault), left_(how_many) {
        listener_ = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        listen(listener_, 16);
        socklen_t len = sizeof a;
        getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { accept_loop(); });
    }

    ~FaultProxy() {
        stop_ = true;
        shutdown(listener_, SHUT_RDWR);
        close(listener_);
        thread_.join();
        for (auto& t : workers_)
            t.join();
    }

    int port() const { return port_; }
    void set_upstream(int port) { upstream_ = port; }
    int faults_done() const { return done_; }
    int requests() const { return requests_; }

  private:
    std::atomic<int> upstream_;
    Fault fault_;
    std::atomic<int> left_;
    std::atomic<int> done_{0}, requests_{0};
    std::atomic<bool> stop_{false};
    int listener_ = -1;
    int port_ = 0;
    std::thread thread_;
    std::vector<std::thread> workers_;

    void accept_loop() {
        while (!stop_) {
            pollfd p{listener_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            int c = accept(listener_, nullptr, nullptr);
            if (c < 0) continue;
            workers_.emplace_back([this, c] { serve(c); });
        }
    }

    // Reads one HTTP message (headers and a Content-Length body). Empty on EOF or timeout.
    static std::string read_message(int fd, int timeout_ms = 10'000) {
        std::string buf;
        char tmp[65536];
        std::size_t need = std::string::npos;
        while (need == std::string::npos || buf.size() < need) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, timeout_ms) <= 0) return {};
            ssize_t n = recv(fd, tmp, sizeof tmp, 0);
            if (n <= 0) return {};
            buf.append(tmp, static_cast<std::size_t>(n));
            const auto end = buf.find("\r\n\r\n");
            if (need == std::string::npos && end != std::string::npos) {
                std::string head = buf.substr(0, end);
                for (auto& ch : head)
                    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                std::size_t length = 0;
                if (auto cl = head.find("content-length:"); cl != std::string::npos)
                    length = std::stoul(head.substr(cl + 15));
                need = end + 4 + length;
            }
        }
        return buf;
    }

    static void send_all(int fd, const std::string& s) {
        std::size_t off = 0;
        while (off < s.size()) {
            ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return;
            off += static_cast<std::size_t>(n);
        }
    }

    std::string forward(const std::string& request) {
        int u = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<uint16_t>(upstream_));
        if (connect(u, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            close(u);
            return {};
        }
        send_all(u, request);
        std::string reply = read_message(u);
        close(u);
        return reply;
    }

    void serve(int c) {
        for (;;) {
            std::string req = read_message(c);
            if (req.empty()) break;
            ++requests_;
            const bool misbehave = fault_ != Fault::None && left_.fetch_sub(1) > 0;
            if (!misbehave) {
                std::string reply = forward(req);
                if (reply.empty()) break;
                send_all(c, reply);
                continue;
            }
            ++done_;
            switch (fault_) {
            case Fault::DropAfterForward: forward(req); break;
            case Fault::Status500:
                send_all(c, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
                break;
            case Fault::Status503:
                send_all(c, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 2\r\n"
                            "Connection: close\r\n\r\n{}");
                break;
            case Fault::Stall: {
                // Hold the connection silent until the client hangs up.
                char tmp[256];
                while (!stop_) {
                    pollfd p{c, POLLIN, 0};
                    if (poll(&p, 1, 100) > 0 && recv(c, tmp, sizeof tmp, 0) <= 0) break;
                }
                break;
            }
            case Fault::TruncateReply: {
                std::string reply = forward(req);
                send_all(c, reply.substr(0, reply.size() / 2));
                break;
            }
            case Fault::None: break;
            }
            break; // every fault ends the connection
        }
        close(c);
    }
};

} // namespace test
