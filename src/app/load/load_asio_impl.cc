// Separate compilation of Boost.Asio and Boost.Beast for the `tandem` tool's load generator
// (BOOST_*_SEPARATE_COMPILATION is set on tandem_load). Anything that links tandem_load must
// not also link tandem_server, which compiles the same implementation in
// src/server/asio_impl.cc.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
