package lab.kafka.policy;

import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.server.policy.CreateTopicPolicy;

/**
 * A create-topic policy for lesson 8.1.1: topic names must follow the team's convention and
 * partition counts stay within a limit. The broker answers a violation with POLICY_VIOLATION and
 * this class's message. Enabled with create.topic.policy.class.name; tuned by two broker
 * properties of its own (the broker hands its whole config to configure()).
 */
public final class TopicNamingPolicy implements CreateTopicPolicy {
  static final String NAME_PATTERN = "klab.policy.topic.name.pattern";
  static final String MAX_PARTITIONS = "klab.policy.max.partitions";

  private Pattern namePattern = Pattern.compile("[a-z0-9]+(\\.[a-z0-9-]+)+");
  private int maxPartitions = 50;

  @Override
  public void configure(Map<String, ?> configs) {
    Object pattern = configs.get(NAME_PATTERN);
    if (pattern != null) namePattern = Pattern.compile(pattern.toString());
    Object max = configs.get(MAX_PARTITIONS);
    if (max != null) maxPartitions = Integer.parseInt(max.toString());
  }

  @Override
  public void validate(RequestMetadata request) throws PolicyViolationException {
    String topic = request.topic();
    // The broker creates its internal topics (__consumer_offsets, __transaction_state) through
    // the same policy: refusing them breaks every group and transaction.
    if (topic.startsWith("__")) return;
    if (!namePattern.matcher(topic).matches())
      throw new PolicyViolationException(
          "Topic name '" + topic + "' does not follow the naming convention " + namePattern
              + " (<domain>.<entity>)");
    Integer partitions = request.numPartitions();
    if (partitions == null && request.replicasAssignments() != null)
      partitions = request.replicasAssignments().size();
    if (partitions != null && partitions > maxPartitions)
      throw new PolicyViolationException(
          "Topic '" + topic + "' asks for " + partitions + " partitions; the limit is "
              + maxPartitions + " (" + MAX_PARTITIONS + ")");
  }

  @Override
  public void close() {}
}
