#include "kino/common/config.hpp"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace kino::common {
namespace {

TEST(ConfigTest, DefaultsAreTheDocumentedOnes) {
  auto c = parseConfig("", {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c->server.data_dir, "./var");
  EXPECT_EQ(c->server.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(c->accounts.argon2_mem_kib, 19u * 1024u);
}

TEST(ConfigTest, FileOverridesDefaultsAndEnvironmentOverridesFile) {
  auto c = parseConfig(R"([server]
listen = "0.0.0.0:9000"
max_body_bytes = 2048
[log]
access_log = false
)", {{"KINO_SERVER_LISTEN", "127.0.0.1:0"}, {"KINO_ACCOUNTS_LOGIN_WINDOW_S", "60"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server.listen, "127.0.0.1:0");
  EXPECT_EQ(c->server.max_body_bytes, 2048u);
  EXPECT_FALSE(c->log.access_log);
  EXPECT_EQ(c->accounts.login_window_s, 60);
}

TEST(ConfigTest, UnknownFileKeyIsAnErrorNamingTheKey) {
  auto c = parseConfig("[server]\nlisten_port = 5\n", {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("server.listen_port"), std::string::npos);
}

TEST(ConfigTest, UnrelatedKinoEnvironmentVariablesAreIgnored) {
  EXPECT_TRUE(parseConfig("", {{"KINO_TEST_VERBOSE", "1"}}).ok());
}

TEST(ConfigTest, BadValuesAreRejected) {
  EXPECT_FALSE(parseConfig("[server]\nthreads = \"many\"\n", {}).ok());
  EXPECT_FALSE(parseConfig("", {{"KINO_SERVER_THREADS", "x"}}).ok());
  EXPECT_FALSE(parseConfig("", {{"KINO_LOG_ACCESS_LOG", "maybe"}}).ok());
  EXPECT_FALSE(parseConfig("", {{"KINO_ACCOUNTS_ARGON2_MEM_KIB", "1024"}}).ok());
  EXPECT_FALSE(parseConfig("", {{"KINO_SERVER_LISTEN", "nohostport"}}).ok());
  EXPECT_FALSE(parseConfig("[server\nlisten=1", {}).ok());
}

TEST(ConfigTest, IngestSpeedTimeAndSlotLimitsHaveDefaultsAndAreChecked) {
  auto d = parseConfig("", {});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->ingest.min_rate_bytes_per_s, 32 * 1024);
  EXPECT_EQ(d->ingest.min_rate_window_s, 30);
  EXPECT_EQ(d->ingest.job_timeout_s, 6 * 3600);
  EXPECT_EQ(d->ingest.download_concurrency, 4);
  EXPECT_EQ(d->ingest.concurrency, 1);
  auto c = parseConfig(
      "[ingest]\nmin_rate_window_s = 2\njob_timeout_s = 60\n",
      {{"KINO_INGEST_MIN_RATE_BYTES_PER_S", "1000"}, {"KINO_INGEST_DOWNLOAD_CONCURRENCY", "1"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ingest.min_rate_bytes_per_s, 1000);
  EXPECT_EQ(c->ingest.min_rate_window_s, 2);
  EXPECT_EQ(c->ingest.job_timeout_s, 60);
  EXPECT_EQ(c->ingest.download_concurrency, 1);
  for (const char* bad : {"min_rate_bytes_per_s = 0", "min_rate_window_s = 0", "job_timeout_s = 0",
                          "download_concurrency = 0", "download_concurrency = 65"}) {
    auto r = parseConfig(std::string("[ingest]\n") + bad + "\n", {});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find(std::string(bad).substr(0, std::string(bad).find(' '))),
              std::string::npos)
        << r.error().message;
  }
}

TEST(ConfigTest, IngestClaimTtlAndScanHaveDefaultsAndAreChecked) {
  auto d = parseConfig("", {});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->ingest.claim_ttl_s, 30);
  EXPECT_EQ(d->ingest.claim_scan_s, 10);
  auto c = parseConfig("[ingest]\nclaim_ttl_s = 3\n", {{"KINO_INGEST_CLAIM_SCAN_S", "1"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ingest.claim_ttl_s, 3);
  EXPECT_EQ(c->ingest.claim_scan_s, 1);
  for (const char* bad : {"claim_ttl_s = 2", "claim_ttl_s = 3601", "claim_scan_s = 0"}) {
    auto r = parseConfig(std::string("[ingest]\n") + bad + "\n", {});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find(std::string(bad).substr(0, std::string(bad).find(' '))),
              std::string::npos)
        << r.error().message;
  }
}

TEST(ConfigTest, BlobStorageIsDiskByDefaultAndS3NeedsItsKeys) {
  auto d = parseConfig("", {});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->storage.blob, "disk");
  EXPECT_EQ(d->storage.s3_region, "us-east-1");
  EXPECT_TRUE(d->storage.s3_path_style);
  auto s3 = parseConfig(R"([storage]
blob = "s3"
s3_endpoint = "http://127.0.0.1:9000"
s3_bucket = "kino-media"
s3_access_key = "kino:tester"
s3_path_style = false
)", {{"KINO_STORAGE_S3_SECRET_KEY", "from-the-environment"}, {"KINO_STORAGE_S3_REGION", "eu-1"}});
  ASSERT_TRUE(s3.ok()) << s3.error().message;
  EXPECT_EQ(s3->storage.s3_secret_key, "from-the-environment");
  EXPECT_EQ(s3->storage.s3_region, "eu-1");
  EXPECT_FALSE(s3->storage.s3_path_style);
  const Environment good{{"KINO_STORAGE_BLOB", "s3"},
                         {"KINO_STORAGE_S3_ENDPOINT", "https://s3.example"},
                         {"KINO_STORAGE_S3_BUCKET", "media"},
                         {"KINO_STORAGE_S3_ACCESS_KEY", "AKIA"},
                         {"KINO_STORAGE_S3_SECRET_KEY", "secret"}};
  ASSERT_TRUE(parseConfig("", good).ok());
  using Case = std::tuple<std::string, std::string, std::string>;  // variable, value, key named
  for (const auto& [name, value, key] : std::vector<Case>{
           {"KINO_STORAGE_BLOB", "nfs", "storage.blob"},
           {"KINO_STORAGE_S3_ENDPOINT", "", "storage.s3_endpoint"},
           {"KINO_STORAGE_S3_ENDPOINT", "s3.example", "storage.s3_endpoint"},
           {"KINO_STORAGE_S3_ENDPOINT", "https://AKIA:secret@s3.example", "storage.s3_endpoint"},
           {"KINO_STORAGE_S3_BUCKET", "", "storage.s3_bucket"},
           {"KINO_STORAGE_S3_BUCKET", "Media_Files", "storage.s3_bucket"},
           {"KINO_STORAGE_S3_ACCESS_KEY", "", "storage.s3_access_key"},
           {"KINO_STORAGE_S3_SECRET_KEY", "", "storage.s3_secret_key"}}) {
    Environment env = good;
    env[name] = value;
    auto r = parseConfig("", env);
    ASSERT_FALSE(r.ok()) << name << "=" << value;
    EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("secret@"), std::string::npos) << r.error().message;
  }
}

TEST(ConfigTest, MissingFileIsAnError) {
  auto c = loadConfig(std::filesystem::path("/nonexistent/kino.toml"), {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "config_not_found");
}

TEST(HostPortTest, ParsesIpv4Ipv6AndRejectsJunk) {
  auto a = parseHostPort("127.0.0.1:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 0);
  auto b = parseHostPort("[::1]:8080");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 8080);
  EXPECT_FALSE(parseHostPort("127.0.0.1:70000").ok());
  EXPECT_FALSE(parseHostPort(":80").ok());
  EXPECT_FALSE(parseHostPort("host:").ok());
  EXPECT_FALSE(parseHostPort("[::1]80").ok());
}

TEST(ConfigTest, StorageIsSqliteByDefaultAndPostgresNeedsAUrl) {
  auto d = parseConfig("", {});
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->storage.engine, "sqlite");
  EXPECT_EQ(d->storage.postgres_url, "");
  EXPECT_EQ(d->storage.postgres_pool_size, 8);
  EXPECT_EQ(d->storage.postgres_retry_s, 10);

  auto pg = parseConfig("[storage]\nengine = \"postgres\"\npostgres_url = \"host=db dbname=kino\"\n",
                        {{"KINO_STORAGE_POSTGRES_POOL_SIZE", "3"}});
  ASSERT_TRUE(pg.ok()) << pg.error().message;
  EXPECT_EQ(pg->storage.engine, "postgres");
  EXPECT_EQ(pg->storage.postgres_url, "host=db dbname=kino");
  EXPECT_EQ(pg->storage.postgres_pool_size, 3);

  auto no_url = parseConfig("", {{"KINO_STORAGE_ENGINE", "postgres"}});
  ASSERT_FALSE(no_url.ok());
  EXPECT_NE(no_url.error().message.find("storage.postgres_url"), std::string::npos);
  auto engine = parseConfig("[storage]\nengine = \"mysql\"\n", {});
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.error().message.find("storage.engine"), std::string::npos);
  EXPECT_FALSE(parseConfig("", {{"KINO_STORAGE_POSTGRES_POOL_SIZE", "0"}}).ok());
  EXPECT_FALSE(parseConfig("", {{"KINO_STORAGE_POSTGRES_POOL_SIZE", "257"}}).ok());
  EXPECT_EQ(parseConfig("", {{"KINO_STORAGE_POSTGRES_RETRY_S", "40"}})->storage.postgres_retry_s, 40);
  EXPECT_FALSE(parseConfig("", {{"KINO_STORAGE_POSTGRES_RETRY_S", "0"}}).ok());
}

}  // namespace
}  // namespace kino::common

namespace kino::common {
namespace {

TEST(ConfigTest, BusIsLocalByDefaultAndNatsNeedsUrlsAndPostgres) {
  auto d = parseConfig("", {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->bus.engine, "local");
  EXPECT_EQ(d->cluster.node_id, "");
  auto nats = parseConfig("[bus]\nengine = \"nats\"\nnats_urls = \"nats://127.0.0.1:4222\"\n"
                          "[storage]\nengine = \"postgres\"\npostgres_url = \"dbname=k\"\n"
                          "[cluster]\nnode_id = \"kino-1\"\n",
                          {});
  ASSERT_TRUE(nats.ok()) << nats.error().message;
  EXPECT_EQ(nats->cluster.node_id, "kino-1");
  auto no_urls = parseConfig("", {{"KINO_BUS_ENGINE", "nats"}});
  ASSERT_FALSE(no_urls.ok());
  EXPECT_NE(no_urls.error().message.find("bus.nats_urls"), std::string::npos);
  auto on_sqlite = parseConfig("", {{"KINO_BUS_ENGINE", "nats"}, {"KINO_BUS_NATS_URLS", "nats://a:1"}});
  ASSERT_FALSE(on_sqlite.ok());
  EXPECT_NE(on_sqlite.error().message.find("postgres"), std::string::npos);
  EXPECT_FALSE(parseConfig("", {{"KINO_CLUSTER_NODE_ID", "a b"}}).ok());
  EXPECT_FALSE(parseConfig("", {{"KINO_BUS_ENGINE", "kafka"}}).ok());
}

TEST(ConfigTest, RetentionKeepsRoomsAtLeastThreeYearsAndSaysWhyWhenAskedForLess) {
  EXPECT_EQ(parseConfig("", {})->retention.min_years, 3);
  EXPECT_EQ(parseConfig("[retention]\nmin_years = 5\n", {})->retention.min_years, 5);
  auto shorter = parseConfig("", {{"KINO_RETENTION_MIN_YEARS", "2"}});
  ASSERT_FALSE(shorter.ok());
  EXPECT_NE(shorter.error().message.find("retention.min_years"), std::string::npos);
  EXPECT_NE(shorter.error().message.find("at least three years"), std::string::npos);
}

TEST(ConfigTest, TheRoomLeaseIsThreeSecondsByDefaultAndBetweenOneAndSixty) {
  EXPECT_EQ(parseConfig("", {})->cluster.room_lease_ms, 3000);
  EXPECT_EQ(parseConfig("", {{"KINO_CLUSTER_ROOM_LEASE_MS", "2000"}})->cluster.room_lease_ms, 2000);
  auto short_lease = parseConfig("[cluster]\nroom_lease_ms = 500\n", {});
  ASSERT_FALSE(short_lease.ok());
  EXPECT_NE(short_lease.error().message.find("cluster.room_lease_ms"), std::string::npos);
  EXPECT_FALSE(parseConfig("", {{"KINO_CLUSTER_ROOM_LEASE_MS", "60001"}}).ok());
}

}  // namespace
}  // namespace kino::common
