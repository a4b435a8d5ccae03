#include "klab/client/base64.hpp"

#include <gtest/gtest.h>

namespace {
using klab::client::base64_encode;
using klab::client::Base64Alphabet;

TEST(Base64, StandardAlphabetPadsToWholeQuads) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\x00\x01", 3)), "/wAB");
}

TEST(Base64, UrlAlphabetIsUnpaddedLikeKafkaClusterIds) {
  EXPECT_EQ(base64_encode("f", Base64Alphabet::url), "Zg");
  EXPECT_EQ(base64_encode(std::string("\xfb\xff", 2), Base64Alphabet::url), "-_8");
  // 16 bytes give the 22 characters of a Kafka Uuid.
  EXPECT_EQ(base64_encode(std::string(16, '\0'), Base64Alphabet::url).size(), 22u);
}

}  // namespace
