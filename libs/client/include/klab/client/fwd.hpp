#pragma once
// Forward declarations of klab::client's types, for headers that only pass them around.

namespace klab {
class Error;
class KafkaException;
}  // namespace klab

namespace klab::client {
class Config;
enum class Acks;
enum class CompressionType;
enum class OffsetReset;
enum class IsolationLevel;
struct Header;
class Headers;
struct Timestamp;
enum class TimestampType;
class Record;
struct ProducerRecord;
struct TopicPartition;
enum class PersistenceStatus;
struct DeliveryReport;
class Producer;
class Consumer;
struct ConsumerAssignment;
struct NewTopic;
struct TopicResult;
struct PartitionInfo;
struct TopicDescription;
struct BrokerInfo;
struct ClusterDescription;
struct WatermarkOffsets;
struct GroupMember;
struct GroupDescription;
class Admin;
struct AclBinding;
struct AclBindingFilter;
enum class AclResourceType;
enum class AclPatternType;
enum class AclOperation;
enum class AclPermission;
struct PartitionerInput;
class KeyHashPartitioner;
class RoundRobinPartitioner;
class StickyPartitioner;
struct ProducerStats;
class StatsCollector;
template <typename T>
class Result;
struct StringSerde;
struct BytesSerde;
template <typename T>
struct JsonSerde;
enum class RebalanceKind;
struct RebalanceEvent;
struct PollLoopOptions;
struct ConfigEntry;
struct ConsumerStats;
class ConsumerStatsCollector;
}  // namespace klab::client
