// DocApi: creates documents through tandemd's REST API (POST /api/docs with {"title": ...},
// answered by {"id": ...}), for servers that serve only documents that exist. Blocking
// HTTP/1.1 over one keep-alive connection; used before any load client runs, on the run's
// thread. Format: docs/api.md.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace tandem::load {

class DocApi {
 public:
  DocApi(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint, std::string host);

  //! Creates `count` documents titled "<title_prefix> <i>" and returns their ids in order.
  Result<std::vector<std::string>> create(size_t count, const std::string& title_prefix);

 private:
  Result<std::string> create_one(const std::string& title);
  Status reconnect();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string host_;
  boost::asio::ip::tcp::socket socket_;
};

}  // namespace tandem::load
