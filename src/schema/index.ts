import { builder } from '../builder.js';
import './gateway.js';
import './payloads.js';
import './contact.js';
import './company.js';
import './deal.js';

export const schema = builder.toSchema();
