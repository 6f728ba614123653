import { INSTANCE_SHAPES_URL } from '../aws/ec2/index.ts';
import type { PriceSource } from './types.ts';

/** A Fargate price row as stored: the three rates plus where they came from. */
export interface FargatePriceRow {
  readonly vcpuHour: number;
  readonly gbHour: number;
  readonly storageGbHour: number;
  readonly source: PriceSource;
}

export interface Ec2PriceRow {
  readonly hourly: number;
  readonly source: PriceSource;
}

const VANTAGE_FARGATE: PriceSource = {
  url: 'https://www.vantage.sh/blog/fargate-pricing',
  retrieved: '2026-11-22',
  note: 'Linux/x86 us-east-1, as the Kiln spec cites it (fargate-on-eks.md §6)',
};

/** AWS's pricing page groups N. Virginia, Ohio and Oregon under one rate card. */
const SAME_AS_US_EAST_1: PriceSource = {
  url: 'https://aws.amazon.com/fargate/pricing/',
  retrieved: '2026-11-22',
  note:
    'UNCONFIRMED: assumed equal to us-east-1, as AWS lists these regions under one rate ' +
    '(aws.amazon.com/jp/fargate/pricing/ groups N. Virginia, Ohio, Oregon and Ireland)',
};

const TOKYO_FARGATE: PriceSource = {
  url: 'https://qiita.com/noplan1989/items/a90c93675b2b9245ffb2',
  retrieved: '2026-11-22',
  note:
    'vCPU and GB rates derived from the monthly Tokyo table there (1,240 JPY for 0.25 vCPU ' +
    '/ 0.5 GB at 110 JPY/USD, 732 h); storage rate UNCONFIRMED (us-east-1 rate used)',
};

const SEOUL_FARGATE: PriceSource = {
  url: 'https://aws.amazon.com/ko/fargate/pricing/',
  retrieved: '2026-11-22',
  note:
    'UNCONFIRMED (the Kiln spec lists ap-northeast-2 as unconfirmed): rates as commonly ' +
    'quoted for Seoul; storage rate is the us-east-1 one. Override in prices.json',
};

const US_EAST_1_FARGATE = { vcpuHour: 0.04048, gbHour: 0.004445, storageGbHour: 0.000111 };

/** Fargate Linux/x86 on-demand prices by region. */
export const FARGATE_PRICES: Readonly<Record<string, FargatePriceRow>> = {
  'us-east-1': { ...US_EAST_1_FARGATE, source: VANTAGE_FARGATE },
  'us-east-2': { ...US_EAST_1_FARGATE, source: SAME_AS_US_EAST_1 },
  'us-west-2': { ...US_EAST_1_FARGATE, source: SAME_AS_US_EAST_1 },
  'ap-northeast-1': {
    vcpuHour: 0.05056,
    gbHour: 0.00553,
    storageGbHour: 0.000111,
    source: TOKYO_FARGATE,
  },
  'ap-northeast-2': {
    vcpuHour: 0.04656,
    gbHour: 0.00511,
    storageGbHour: 0.000111,
    source: SEOUL_FARGATE,
  },
};

/** Where the vCPU, memory and max pods of an EC2 price come from (EC2's instance shapes). */
export const INSTANCE_SHAPES_SOURCE: PriceSource = {
  url: INSTANCE_SHAPES_URL,
  retrieved: '2026-11-22',
};

const EC2_US_EAST_1: PriceSource = {
  url: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  retrieved: '2026-11-22',
  note: 'Linux on-demand, shared tenancy',
};

const EC2_SAME_AS_US_EAST_1: PriceSource = {
  url: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  retrieved: '2026-11-22',
  note: 'UNCONFIRMED: assumed equal to us-east-1 (same rate card for these types)',
};

const EC2_UNCONFIRMED: PriceSource = {
  url: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  retrieved: '2026-11-22',
  note: 'UNCONFIRMED: rates as commonly quoted for the region; override in prices.json',
};

function ec2Rows(
  hourly: Readonly<Record<string, number>>,
  source: PriceSource,
): Readonly<Record<string, Ec2PriceRow>> {
  return Object.fromEntries(Object.entries(hourly).map(([t, h]) => [t, { hourly: h, source }]));
}

const US_EAST_1_EC2 = {
  'm5.large': 0.096,
  'm5.xlarge': 0.192,
  'm5.2xlarge': 0.384,
  't3.medium': 0.0416,
  't3.large': 0.0832,
};

/** EC2 Linux on-demand hourly prices by region and instance type. */
export const EC2_PRICES: Readonly<Record<string, Readonly<Record<string, Ec2PriceRow>>>> = {
  'us-east-1': ec2Rows(US_EAST_1_EC2, EC2_US_EAST_1),
  'us-east-2': ec2Rows(US_EAST_1_EC2, EC2_SAME_AS_US_EAST_1),
  'us-west-2': ec2Rows(US_EAST_1_EC2, EC2_SAME_AS_US_EAST_1),
  'ap-northeast-1': ec2Rows(
    {
      'm5.large': 0.124,
      'm5.xlarge': 0.248,
      'm5.2xlarge': 0.496,
      't3.medium': 0.0544,
      't3.large': 0.1088,
    },
    EC2_UNCONFIRMED,
  ),
  'ap-northeast-2': ec2Rows(
    {
      'm5.large': 0.118,
      'm5.xlarge': 0.236,
      'm5.2xlarge': 0.472,
      't3.medium': 0.052,
      't3.large': 0.104,
    },
    EC2_UNCONFIRMED,
  ),
};
