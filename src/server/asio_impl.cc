// Separate compilation of Boost.Asio and Boost.Beast (BOOST_*_SEPARATE_COMPILATION is set for
// everything linking tandem_server): their implementation is compiled once, here.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
