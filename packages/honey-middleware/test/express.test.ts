import express from 'express';
import express4 from 'express4';
import { conformance } from './conformance.js';
import { conformanceApp } from './express-apps.js';

conformance('Express 5', conformanceApp(express, 'middleware'));
conformance('Express 4', conformanceApp(express4 as unknown as typeof express, 'middleware'));
