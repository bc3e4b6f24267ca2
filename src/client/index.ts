// Spate's own Kafka client, built on the generated protocol codecs. It speaks to any Kafka-compatible broker.
export { Admin, type ClusterDescription, type ConfigEntry, type ConfigResourceType, type GroupDescription, type GroupListing, type NewTopic, type OffsetReset, type PartitionLag, type ResetTarget } from './admin.js';
export { Cluster, DEFAULT_BOOTSTRAP, parseBootstrap, type BrokerInfo, type ClusterMetadata, type ClusterOptions, type PartitionInfo, type TopicInfo } from './cluster.js';
export { Connection, clientVersionRange, type ConnectionOptions } from './connection.js';
export { Consumer, type Assignment, type ConsumerOptions, type Message, type StartOffset } from './consumer.js';
export { ClientError, KafkaResponseError, kafkaErrorName } from './errors.js';
export { listOffsets, type OffsetSpec } from './offsets.js';
export { planOffsetReset, type ResetMode, type ResetScope } from './offset-reset.js';
export { Producer, murmur2, partitionForKey, type Acks, type PartitionResult, type ProduceMessage, type ProducerOptions } from './producer.js';
export { buildRecordBatch, decodeRecordBatches, type Compression, type ConsumedRecord, type ProducerRecord, type RecordHeader } from './records.js';
